using System;
using System.Threading.Tasks;

namespace RedisCaching.Generators.Tests.CrossProcess;

/// <summary>
/// The test assembly's entry point. Test runners load the assembly and never call it; the cross-process test runs
/// <c>dotnet RedisCaching.Generators.Tests.dll feature-probe …</c> to get a second process with its own decorated service.
/// </summary>
internal static class Program
{
    public static async Task<int> Main(string[] args)
    {
        if (args.Length > 0 && args[0] == FeatureProbe.Verb)
        {
            return await FeatureProbe.RunAsync(args.AsMemory(1));
        }

        await Console.Error.WriteLineAsync("This is a test assembly: run it with dotnet test.");
        return 2;
    }
}
