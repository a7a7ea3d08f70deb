using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Net;
using System.Threading.Tasks;
using StackExchange.Redis;
using static System.FormattableString;

namespace RedisCaching.Benchmarks.Load.Zipf;

/// <summary><c>zipf</c> mode: every peer, repeated with the order rotated, then a Markdown report of medians.</summary>
internal static class ZipfCommand
{
    public static async Task<int> RunAsync(ReadOnlyMemory<string> args)
    {
        var (options, exitCode) = await CommandLineOptions.ParseAsync(args, ZipfOptions.Parse, ZipfOptions.Usage, static o => o.ShowHelp);
        if (options is null)
        {
            return exitCode;
        }

        IPEndPoint endpoint = options.Endpoint ?? BenchEndpoint.FromEnvironment();

        // INFO commandstats between the window's ends: a connection of its own, outside every peer.
        ConfigurationOptions adminOptions = BenchEndpoint.ClientOptions(endpoint, "bench-zipf-admin");
        adminOptions.AllowAdmin = true;
        await using ConnectionMultiplexer adminConnection = await ConnectionMultiplexer.ConnectAsync(adminOptions);
        IServer admin = adminConnection.GetServer(endpoint);
        var samples = options.Peers.ToDictionary(p => p, _ => new List<ZipfSample>());
        int run = 0;
        for (int repeat = 0; repeat < options.Repeats; repeat++)
        {
            IEnumerable<string> order = options.Peers.Skip(repeat % options.Peers.Length)
                .Concat(options.Peers.Take(repeat % options.Peers.Length));
            foreach (string peer in order)
            {
                ZipfSample sample = await ZipfRun.RunAsync(endpoint, options, peer, ++run, admin);
                samples[peer].Add(sample);
                await Console.Error.WriteLineAsync(Invariant(
                    $"{peer} run {repeat + 1}: {sample.OpsPerSecond:F0} ops/s, hit {sample.HitRate:P1}, {sample.FactoryCalls} factory calls, read p50 {sample.ReadP50Micros:F0} us p99 {sample.ReadP99Micros:F0} us, {sample.StaleReads} stale reads ({sample.StaleBeyondWindow} beyond the window, {(sample.BoundMs is null ? "-" : sample.StaleBeyondBound.ToString(System.Globalization.CultureInfo.InvariantCulture))} beyond the bound; max {sample.StaleMaxMicros / 1000:F1} ms after the write), {sample.Errors} errors, {sample.RedisBehindLastWrite} keys in Redis older than their last write at the end, lease refusals {sample.LeaseRefusals?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "-"}; per op: client CPU {sample.Cost?.ClientCpuMicros:F2} us, server CPU {sample.Cost?.ServerCpuMicros:F2} us, {sample.Cost?.AllocatedBytes:F0} B allocated; GCs {sample.Cost?.Gen0}/{sample.Cost?.Gen1}/{sample.Cost?.Gen2}; Redis commands per 1000 ops: {sample.Cost?.CommandsText}; thread-pool items {sample.Cost?.WorkItemsPerThousand:F0}, context switches {sample.Cost?.ContextSwitchesPerThousand:F0} per 1000 ops"));
            }
        }

        var report = new StringWriter();
        Write(report, options, samples);
        Console.WriteLine(report.ToString());
        if (options.OutputPath is not null)
        {
            await File.WriteAllTextAsync(options.OutputPath, report.ToString());
        }

        return 0;
    }

    private static void Write(TextWriter writer, ZipfOptions options, Dictionary<string, List<ZipfSample>> samples)
    {
        writer.WriteLine(Invariant($"Zipf workload: {options.Keys:N0} keys, s = {options.Exponent}, {options.Callers} callers over two instances (separate multiplexers), {options.WriteFraction:P1} of operations write a new version through the other instance, factory {options.FactoryDelay.TotalMilliseconds} ms. {(options.YieldEvery > 0 ? Invariant($"Each caller yields its thread every {options.YieldEvery} operations. ") : "")}{options.Warmup.TotalSeconds:0.#} s warm-up, {options.Duration.TotalSeconds:0.#} s measured, median of {options.Repeats} run(s); .NET {Environment.Version}, {Environment.ProcessorCount} cores."));
        writer.WriteLine();
        writer.WriteLine("Stale read: a read returning a version older than the last write of that key completed before the read started. \"stale age\": how long before the read that newer write had completed.");
        writer.WriteLine();
        writer.WriteLine(Invariant($"| peer | ops/s | ratio to {options.Peers[0]} | hit rate | factory calls | read p50 µs | read p99 µs | write p50 µs | write p99 µs | stale reads | stale % of reads | stale beyond {options.StaleWindow.TotalMilliseconds:0.#} ms | stale beyond the bound (ms) | stale age p50 ms | stale age max ms | lease refusals | errors | keys in Redis older than their last write, per run | client CPU µs/op | server CPU µs/op | B/op | GCs gen0/1/2 per run | Redis commands per 1,000 ops | thread-pool items / context switches per 1,000 ops | ops/s per run |"));
        writer.WriteLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|---:|---|---|---|---|");
        List<ZipfSample> baseline = samples[options.Peers[0]];
        foreach (string peer in options.Peers)
        {
            List<ZipfSample> list = samples[peer];
            double ratio = Median(Enumerable.Range(0, list.Count).Select(i => baseline[i].OpsPerSecond == 0 ? 0 : list[i].OpsPerSecond / baseline[i].OpsPerSecond));
            double reads = Median(list.Select(s => (double)s.Reads));
            double stale = Median(list.Select(s => (double)s.StaleReads));
            writer.WriteLine(Invariant(
                $"| {peer} | {Median(list.Select(s => s.OpsPerSecond)):N0} | {ratio:F2} | {Median(list.Select(s => s.HitRate)):P1} | {Median(list.Select(s => (double)s.FactoryCalls)):N0} | {Median(list.Select(s => s.ReadP50Micros)):F0} | {Median(list.Select(s => s.ReadP99Micros)):F0} | {Median(list.Select(s => s.WriteP50Micros)):F0} | {Median(list.Select(s => s.WriteP99Micros)):F0} | {stale:N0} | {(reads == 0 ? 0 : stale / reads):P2} | {Median(list.Select(s => (double)s.StaleBeyondWindow)):N0} | {BeyondBound(list)} | {Median(list.Select(s => s.StaleP50Micros)) / 1000:F1} | {Median(list.Select(s => s.StaleMaxMicros)) / 1000:F1} | {(list[0].LeaseRefusals is null ? "-" : Median(list.Select(s => (double)s.LeaseRefusals!.Value)).ToString("N0", System.Globalization.CultureInfo.InvariantCulture))} | {list.Sum(s => s.Errors)} | {string.Join(" / ", list.Select(s => s.RedisBehindLastWrite))} | {Median(list.Select(s => s.Cost?.ClientCpuMicros ?? double.NaN)):F2} | {Median(list.Select(s => s.Cost?.ServerCpuMicros ?? double.NaN)):F2} | {Median(list.Select(s => s.Cost?.AllocatedBytes ?? double.NaN)):F0} | {string.Join(" / ", list.Select(s => Invariant($"{s.Cost?.Gen0}/{s.Cost?.Gen1}/{s.Cost?.Gen2}")))} | {MedianRun(list).Cost?.CommandsText ?? "-"} | {Median(list.Select(s => s.Cost?.WorkItemsPerThousand ?? double.NaN)):F0} / {Median(list.Select(s => s.Cost?.ContextSwitchesPerThousand ?? double.NaN)):F0} | {string.Join(" / ", list.Select(s => Invariant($"{s.OpsPerSecond:F0}")))} |"));
        }
    }

    /// <summary>"median (bound ms)", or "-" for a peer without a bound.</summary>
    private static string BeyondBound(List<ZipfSample> list) =>
        list[0].BoundMs is { } bound ? Invariant($"{Median(list.Select(s => (double)s.StaleBeyondBound)):N0} ({bound:0.#})") : "-";

    private static double Median(IEnumerable<double> values) => LoadShapeResult.Median(values);

    /// <summary>The run with the median throughput (its command mix is reported as one consistent set).</summary>
    private static ZipfSample MedianRun(List<ZipfSample> list) => list.OrderBy(s => s.OpsPerSecond).ElementAt(list.Count / 2);
}
