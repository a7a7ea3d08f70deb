using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Net;
using System.Reflection;
using System.Threading.Tasks;
using StackExchange.Redis;
using static System.FormattableString;

namespace RedisCaching.Benchmarks.Load.Cluster;

/// <summary>
/// <c>cluster-load</c> mode: the 64-caller GET and SET load against a Redis Cluster and against a standalone server in
/// the same run, raw StackExchange.Redis and through the cache. Per target and operation, each repeat runs the two
/// topologies back to back (order swapped every repeat); the cluster/standalone ratio is taken per repeat, then the median.
/// </summary>
internal static class ClusterLoadCommand
{
    private const string Standalone = "standalone";
    private const string ClusterName = "cluster";

    public static async Task<int> RunAsync(ReadOnlyMemory<string> args)
    {
        var (options, exitCode) = await CommandLineOptions.ParseAsync(args, ClusterLoadOptions.Parse, ClusterLoadOptions.Usage, static o => o.ShowHelp);
        if (options is null)
        {
            return exitCode;
        }

        var topologies = new Dictionary<string, IPEndPoint[]> { [Standalone] = [options.Standalone!], [ClusterName] = options.Cluster };
        string client = typeof(ConnectionMultiplexer).Assembly
            .GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "?";
        var report = new StringWriter();
        report.WriteLine(Invariant($"Cluster ({options.Cluster.Length} seed endpoint(s)) vs standalone, {options.Callers} callers, {options.Keys} keys, {options.Size} B values; {options.Warmup.TotalSeconds:0.#} s warm-up, {options.Duration.TotalSeconds:0.#} s measured, median of {options.Repeats} run(s); StackExchange.Redis {client}, .NET {Environment.Version}, {Environment.ProcessorCount} cores. raw = one multiplexer, StringGetAsync/StringSetAsync; cache = ICache TryGetAsync/SetAsync (memory tier off), its own connection."));
        report.WriteLine();
        report.WriteLine("| target | op | topology | ops/s | cluster / standalone | p50 µs | p99 µs | max µs | alloc B/op | errors | ops/s per run |");
        report.WriteLine("|---|---|---|---:|---:|---:|---:|---:|---:|---:|---|");
        foreach (string target in options.Targets)
        {
            foreach (LoadOperation operation in options.Operations)
            {
                var samples = topologies.Keys.ToDictionary(t => t, _ => new List<LoadSample>());
                for (int repeat = 0; repeat < options.Repeats; repeat++)
                {
                    string[] order = repeat % 2 == 0 ? [Standalone, ClusterName] : [ClusterName, Standalone];
                    foreach (string topology in order)
                    {
                        LoadSample sample = await ClusterLoadRun.RunAsync(topologies[topology], target, operation, options, topology);
                        samples[topology].Add(sample);
                        await Console.Error.WriteLineAsync(Invariant(
                            $"{target} {operation} {topology}, run {repeat + 1}: {sample.OpsPerSecond:F0} ops/s, p50 {sample.P50Micros:F0} us, p99 {sample.P99Micros:F0} us, {sample.BytesPerOp:F0} B/op, {sample.Errors} errors"));
                    }
                }

                double ratio = LoadShapeResult.Median(Enumerable.Range(0, options.Repeats)
                    .Select(i => samples[ClusterName][i].OpsPerSecond / Math.Max(1, samples[Standalone][i].OpsPerSecond)));
                foreach (string topology in new[] { Standalone, ClusterName })
                {
                    List<LoadSample> list = samples[topology];
                    string ratioCell = topology == ClusterName ? Invariant($"**{ratio:F2}**") : "1.00";
                    report.WriteLine(Invariant(
                        $"| {target} | {(operation == LoadOperation.Get ? "GET" : "SET")} | {topology} | {Median(list, s => s.OpsPerSecond):N0} | {ratioCell} | {Median(list, s => s.P50Micros):F0} | {Median(list, s => s.P99Micros):F0} | {Median(list, s => s.MaxMicros):F0} | {Median(list, s => s.BytesPerOp):F0} | {list.Sum(s => s.Errors)} | {string.Join(" / ", list.Select(s => Invariant($"{s.OpsPerSecond:F0}")))} |"));
                }
            }
        }

        Console.WriteLine(report.ToString());
        if (options.OutputPath is not null)
        {
            await File.WriteAllTextAsync(options.OutputPath, report.ToString());
        }

        return 0;
    }

    private static double Median(List<LoadSample> samples, Func<LoadSample, double> value) => LoadShapeResult.Median(samples.Select(value));
}
