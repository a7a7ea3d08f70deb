using System;
using System.Linq;
using System.Net;
using System.Threading.Tasks;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Running;
using RedisCaching.Benchmarks.Load;
using RedisCaching.Benchmarks.Load.Cluster;
using RedisCaching.Benchmarks.Load.Invalidation;
using RedisCaching.Benchmarks.Load.PeerL2;
using RedisCaching.Benchmarks.Load.Zipf;
using RedisCaching.Benchmarks.PayloadPath;
using RedisCaching.Benchmarks.Peers;
using RedisCaching.Benchmarks.Serialization;

namespace RedisCaching.Benchmarks;

/// <summary>
/// Modes. <c>load ...</c>: the load driver (throughput and latency percentiles per multiplexer count).
/// <c>payload-sizes</c>: serialized and compressed byte counts of the serializer/compressor suites' payloads.
/// <c>payload-path ...</c>: the PayloadPath suites interleaved in one process (ratios per round).
/// <c>zipf ...</c>: the two-instance Zipf workload with stale-read counting, per peer. <c>check-peers</c>: checks
/// every peer adapter against the server. <c>l2 ...</c>: sustained L2-hit throughput per peer against the raw GET.
/// <c>invalidate ...</c>: pattern invalidation of a large key space, with the p99 of other clients' GETs before and during.
/// <c>cluster-load ...</c>: the 64-caller GET/SET load against a Redis Cluster and a standalone server in one run.
/// <c>telemetry-overhead ...</c>: the hits with OpenTelemetry listening on and off, alternating in one process.
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

        if (args.Length > 0 && args[0] == "cluster-load")
        {
            return await ClusterLoadCommand.RunAsync(args.AsMemory(1));
        }

        if (args.Length > 0 && args[0] == "telemetry-overhead")
        {
            return await Telemetry.TelemetryOverheadCommand.RunAsync(args.AsMemory(1));
        }

        if (args.Length > 0 && args[0] == "zipf")
        {
            return await ZipfCommand.RunAsync(args.AsMemory(1));
        }

        if (args.Length > 0 && args[0] == "l2")
        {
            return await PeerL2Command.RunAsync(args.AsMemory(1));
        }

        if (args.Length > 0 && args[0] == "invalidate")
        {
            return await InvalidationBenchCommand.RunAsync(args.AsMemory(1));
        }

        if (args.Length > 0 && args[0] == "payload-sizes")
        {
            return PayloadSizesCommand.Run();
        }

        if (args.Length > 0 && args[0] == "payload-path")
        {
            return await PayloadPathCommand.RunAsync(args.AsMemory(1));
        }

        if (args.Length > 0 && args[0] == "check-peers")
        {
            return await CheckPeersAsync();
        }

        // Fail here, once and clearly, rather than in every child process BenchmarkDotNet starts.
        bool listsOnly = args.Any(a => a is "--list" or "--help" or "-h" or "--info" or "--version");
        if (!listsOnly && !NoRedisAttribute.OnlySelected(args, typeof(Program).Assembly))
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

        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args, NoisyBoxConfig.Create().AddColumn(new ThroughputColumn()));
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

        // Not a pass/fail check, a report: what a second instance sees 200 ms after a write or a removal (by tag where
        // the peer has tags, else by key) through the first, once it holds the entry in its L1.
        foreach (string name in new[] { PeerNames.Fusion, PeerNames.Hybrid, PeerNames.RedisCaching })
        {
            await using ICacheUnderTest first = await PeerCatalog.CreateAsync(name, endpoint, "check-a");
            await using ICacheUnderTest second = await PeerCatalog.CreateAsync(name, endpoint, "check-b");
            bool hasTags = first.Features.HasFlag(PeerFeatures.Tags);
            string key = $"bench:check:cross:{name}:{Environment.ProcessId}";
            string[]? tags = hasTags ? [key + ":tag"] : null;
            await first.SetAsync(key, BenchRecord.Create(1, 1), tags);
            await second.GetOrSetAsync(key, static (_, _) => ValueTask.FromResult(BenchRecord.Create(1, 0)));
            await first.SetAsync(key, BenchRecord.Create(1, 2), tags);
            await Task.Delay(200);
            long seen = (await second.TryGetAsync<BenchRecord>(key)).Value?.Version ?? -1;
            if (hasTags)
            {
                await first.RemoveByTagAsync(tags![0]);
            }
            else
            {
                await first.RemoveAsync(key);
            }

            await Task.Delay(200);
            bool gone = !(await second.TryGetAsync<BenchRecord>(key)).Found;
            Console.WriteLine($"{name}, second instance 200 ms later: after a write of version 2 it reads version {seen}; after {(hasTags ? "remove-by-tag" : "remove (no tags)")} the entry is {(gone ? "gone" : "still there")}.");
            if (name == PeerNames.RedisCaching && (seen != 2 || !gone))
            {
                throw new InvalidOperationException($"Peer '{name}' claims cross-instance invalidation but its second instance read a stale entry.");
            }
        }

        return 0;
    }
}
