using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using RedisCaching.Benchmarks.Load;
using RedisCaching.Benchmarks.Peers;
using static System.FormattableString;

namespace RedisCaching.Benchmarks.Telemetry;

/// <summary>
/// <c>telemetry-overhead</c> mode: what OpenTelemetry listening adds to a hit, measured in ONE process. The
/// BenchmarkDotNet suite (<see cref="TelemetryOverheadBenchmarks"/>) runs each listening mode in its own process, and
/// on these machines two processes' L2 hits differ by 15-20 µs (on ~80) whatever they listen to, which hides a 5 %
/// effect. Here one cache alternates: per round, each mode in turn (the order rotates every round) builds its
/// providers as an app does, collects the heap, runs the same sequential calls, and disposes them; the ratio to
/// "none" is taken per round (neighbouring measurements, so drift cancels), and the median over rounds reported.
/// </summary>
internal static class TelemetryOverheadCommand
{
    private const string Usage = """
        Usage: RedisCaching.Benchmarks telemetry-overhead [options]
          --rounds 200     rounds; each runs every mode once, in a rotating order
          --calls 200      sequential calls per operation, mode and round (after a tenth as many untimed)
          --out FILE       also write the Markdown report to FILE
        The server: $REDISCACHING_BENCH_REDIS (loopback), as for the BenchmarkDotNet suites.
        """;

    private const string L1Key = "bench:telemetry:l1";
    private const string L2Key = "bench:telemetry:l2";
    private static readonly CacheEntryOptions L2Only = new() { Skip = CacheSkip.Memory };
    private static readonly string[] Modes = [TelemetryListening.None, TelemetryListening.Metrics, TelemetryListening.MetricsAndTraces, TelemetryListening.MetricsAndDroppedTraces];

    private static readonly Func<BenchRecord, CacheFactoryContext, CancellationToken, ValueTask<BenchRecord>> Factory =
        static (record, _, _) => ValueTask.FromResult(record);

    private static readonly (string Name, Func<ICache, ValueTask<CacheResult<BenchRecord>>> Call)[] Operations =
    [
        ("L1 hit, GetOrSet", static c => c.GetOrSetAsync(L1Key, PeerSetup.Record, Factory)),
        ("L1 hit, TryGet", static c => c.TryGetAsync<BenchRecord>(L1Key)),
        ("L2 hit, GetOrSet", static c => c.GetOrSetAsync(L2Key, PeerSetup.Record, Factory, L2Only)),
        ("L2 hit, TryGet", static c => c.TryGetAsync<BenchRecord>(L2Key, L2Only)),
    ];

    public static async Task<int> RunAsync(ReadOnlyMemory<string> args)
    {
        var (options, exitCode) = await CommandLineOptions.ParseAsync(args, Options.Parse, Usage, static o => o.ShowHelp);
        if (options is null)
        {
            return exitCode;
        }

        var (rounds, calls, output) = (options.Rounds, options.Calls, options.OutputPath);
        await using var peer = await PeerSetup.CreateCheckedAsync<RedisCachingPeer>(PeerNames.RedisCaching, "telemetry-overhead");
        ICache cache = peer.Cache;
        await cache.SetAsync(L1Key, PeerSetup.Record);
        await cache.SetAsync(L2Key, PeerSetup.Record);
        await WaitForMemoryHitAsync(cache);

        // micros[operation][mode] and bytes[operation][mode] per round
        var micros = Operations.Select(_ => Modes.ToDictionary(m => m, _ => new List<double>())).ToArray();
        var bytes = Operations.Select(_ => Modes.ToDictionary(m => m, _ => new List<double>())).ToArray();
        for (int round = -1; round < rounds; round++)
        {
            // Round -1 warms every path up (JIT tiers, pools, the providers' first build) and is not recorded.
            foreach (string mode in Rotate(Modes, Math.Max(round, 0)))
            {
                using TelemetryListening? listening = TelemetryListening.Create(mode);

                // Building providers allocates; without this the collection it triggers would fall into the timed
                // calls of the modes that build them, and be counted as listening's cost. Every mode starts collected.
                GC.Collect();
                GC.WaitForPendingFinalizers();
                for (int op = 0; op < Operations.Length; op++)
                {
                    var (perCall, allocated) = await TimeAsync(cache, Operations[op].Call, calls);
                    if (round >= 0)
                    {
                        micros[op][mode].Add(perCall);
                        bytes[op][mode].Add(allocated);
                    }
                }
            }

            if (round >= 0 && (round + 1) % 20 == 0)
            {
                await Console.Error.WriteLineAsync(Invariant($"round {round + 1}/{rounds}: ") + string.Join("; ", Operations.Select((o, i) =>
                    o.Name + " " + string.Join(" / ", Modes.Select(m => Invariant($"{micros[i][m][^1]:F2}"))))));
            }
        }

        string report = Report(micros, bytes, rounds, calls);
        Console.WriteLine(report);
        if (output is not null)
        {
            await File.WriteAllTextAsync(output, report);
        }

        return 0;
    }

    private static string Report(Dictionary<string, List<double>>[] micros, Dictionary<string, List<double>>[] bytes, int rounds, int calls)
    {
        var listening = Modes.Skip(1).ToArray();
        var report = new StringWriter();
        report.WriteLine(Invariant($"One process, one cache, {rounds} rounds x {calls} sequential calls per operation and mode; per round the modes run in a rotating order, each with its OpenTelemetry providers built before and disposed after (exporters that drop everything) and a full garbage collection before its calls. Ratio: per round to that round's `none`, median over rounds (in brackets the middle half of the rounds' ratios). Bytes: allocated by the whole process per call (every thread), median over rounds. .NET {Environment.Version}, {Environment.ProcessorCount} cores."));
        report.WriteLine();
        report.WriteLine("| operation | none µs/call, B/call | " + string.Join(" | ", listening.Select(m => $"**{m} / none**, B/call")) + " |");
        report.WriteLine("|---|---:|" + string.Concat(listening.Select(_ => "---:|")));
        for (int op = 0; op < Operations.Length; op++)
        {
            var none = micros[op][TelemetryListening.None];
            var cells = listening.Select(mode =>
            {
                double[] ratios = [.. micros[op][mode].Select((v, i) => v / none[i])];
                return Invariant($"**{Median(ratios):F3}** ({Quantile(ratios, 0.25):F2}-{Quantile(ratios, 0.75):F2}), {Median(bytes[op][mode]):F0} B");
            });
            report.WriteLine(Invariant($"| {Operations[op].Name} | {Median(none):F3} µs, {Median(bytes[op][TelemetryListening.None]):F0} B | ") + string.Join(" | ", cells) + " |");
        }

        return report.ToString();
    }

    private static async Task<(double Micros, double Bytes)> TimeAsync(ICache cache, Func<ICache, ValueTask<CacheResult<BenchRecord>>> call, int calls)
    {
        // A few untimed calls first: the first calls after the providers were built pay their one-time set-up.
        for (int i = 0; i < Math.Max(1, calls / 10); i++)
        {
            await call(cache);
        }

        long allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
        long started = Stopwatch.GetTimestamp();
        for (int i = 0; i < calls; i++)
        {
            await call(cache);
        }

        double micros = Stopwatch.GetElapsedTime(started).TotalMicroseconds / calls;
        return (micros, (GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore) / (double)calls);
    }

    private static IEnumerable<string> Rotate(string[] modes, int by) => modes.Skip(by % modes.Length).Concat(modes.Take(by % modes.Length));

    private static double Median(IEnumerable<double> values) => LoadShapeResult.Median(values);

    private static double Quantile(double[] values, double q)
    {
        double[] sorted = [.. values.Order()];
        return sorted[(int)Math.Round(q * (sorted.Length - 1))];
    }

    private static async Task WaitForMemoryHitAsync(ICache cache)
    {
        var waited = Stopwatch.StartNew();
        while ((await cache.GetOrSetAsync(L1Key, PeerSetup.Record, Factory)).Tier != CacheTier.Memory
            || (await cache.TryGetAsync<BenchRecord>(L2Key, L2Only)).Tier != CacheTier.Redis)
        {
            if (waited.Elapsed > TimeSpan.FromSeconds(10))
            {
                throw new InvalidOperationException("The L1 key is still not a memory hit (or the L2 key not a Redis hit) after 10 s.");
            }

            await Task.Delay(50);
        }
    }

    /// <summary>The command line of <c>telemetry-overhead</c> mode.</summary>
    private sealed class Options
    {
        public int Rounds { get; private set; } = 200;

        public int Calls { get; private set; } = 200;

        public string? OutputPath { get; private set; }

        public bool ShowHelp { get; private set; }

        public static Options Parse(ReadOnlySpan<string> args)
        {
            var options = new Options();
            CommandLineOptions.Walk(args, () => options.ShowHelp = true, (name, value) =>
            {
                switch (name)
                {
                    case "--rounds": options.Rounds = (int)CommandLineOptions.Number(name, value, 1); return true;
                    case "--calls": options.Calls = (int)CommandLineOptions.Number(name, value, 1); return true;
                    case "--out": options.OutputPath = value; return true;
                    default: return false;
                }
            });
            return options;
        }
    }
}
