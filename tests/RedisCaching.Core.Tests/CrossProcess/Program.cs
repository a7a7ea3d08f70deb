using System;
using System.Threading.Tasks;

namespace RedisCaching.Core.Tests.CrossProcess;

/// <summary>
/// The test assembly's entry point. Test runners load the assembly and never call it; the cross-process tests run
/// <c>dotnet RedisCaching.Core.Tests.dll lock-probe …</c> (or <c>tag-probe …</c>) to get a real second process with its own cache.
/// </summary>
internal static class Program
{
    public static async Task<int> Main(string[] args)
    {
        if (args.Length > 0 && args[0] == LockProbe.Verb)
        {
            return await LockProbe.RunAsync(args.AsMemory(1));
        }

        if (args.Length > 0 && args[0] == TagProbe.Verb)
        {
            return await TagProbe.RunAsync(args.AsMemory(1));
        }

        await Console.Error.WriteLineAsync("This is a test assembly: run it with dotnet test.");
        return 2;
    }
}
