using System;
using System.Linq;
using System.Net;
using System.Threading.Tasks;
using BenchmarkDotNet.Running;
using RedisCaching.Benchmarks.Load;
using RedisCaching.Benchmarks.Load.PeerL2;
using RedisCaching.Benchmarks.Load.Zipf;
using RedisCaching.Benchmarks.Peers;

namespace RedisCaching.Benchmarks;

/// <summary>
/// Modes. <c>load ...</c>: the load driver (throughput and latency percentiles per multiplexer count).
/// <c>zipf ...</c>: the two-instance Zipf workload with stale-read counting, per peer. <c>check-peers</c>: checks
/// every peer adapter against the server. <c>l2 ...</c>: sustained L2-hit throughput per peer against the raw GET.
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

        if (args.Length > 0 && args[0] == "zipf")
        {
            return await ZipfCommand.RunAsync(args.AsMemory(1));
        }

        if (args.Length > 0 && args[0] == "l2")
        {
            return await PeerL2Command.RunAsync(args.AsMemory(1));
        }

        if (args.Length > 0 && args[0] == "check-peers")
        {
            return await CheckPeersAsync();
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

    /// <summary><c>check-peers</c>: builds every peer (HybridCache through DI, as an app would) and runs
    /// <see cref="PeerCheck"/> on each; a quick proof that the packages resolve and the adapters are right.</summary>
    private static async Task<int> CheckPeersAsync()
    {
        IPEndPoint endpoint = BenchEndpoint.FromEnvironment();
        foreach (string name in PeerCatalog.Available)
        {
            await using ICacheUnderTest peer = await PeerCatalog.CreateAsync(name, endpoint, "check");
            await PeerCheck.RunAsync(peer);
            Console.WriteLine($"{name}: ok ({peer.Features})");
        }

        return 0;
    }
}
