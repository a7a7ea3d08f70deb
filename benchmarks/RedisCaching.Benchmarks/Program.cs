using System;
using System.Linq;
using System.Threading.Tasks;
using BenchmarkDotNet.Running;
using RedisCaching.Benchmarks.Load;

namespace RedisCaching.Benchmarks;

/// <summary>
/// Two modes. <c>load ...</c>: the load driver (throughput and latency percentiles per multiplexer count).
/// Anything else goes to BenchmarkDotNet (e.g. <c>--filter *RawGet*</c>, <c>--list flat</c>).
/// </summary>
public static class Program
{
    public static async Task<int> Main(string[] args)
    {
        if (args.Length > 0 && args[0] == "load")
        {
            return await LoadCommand.RunAsync(args.AsMemory(1));
        }

        // Fail here, once and clearly, rather than in every child process BenchmarkDotNet starts.
        bool listsOnly = args.Any(a => a is "--list" or "--help" or "-h" or "--info" or "--version");
        if (!listsOnly)
        {
            try
            {
                BenchEndpoint.FromEnvironment();
            }
            catch (InvalidOperationException e)
            {
                await Console.Error.WriteLineAsync(e.Message);
                return 2;
            }
        }

        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args, NoisyBoxConfig.Create());
        return 0;
    }
}
