using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Runtime;
using StackExchange.Redis;
using static System.FormattableString;

namespace RedisCaching.Benchmarks.Load;

/// <summary>Writes the load driver's results as Markdown: the ratio table first, then every figure.</summary>
internal static class LoadReport
{
    public static void Write(TextWriter writer, LoadOptions options, IReadOnlyList<LoadShapeResult> results)
    {
        string client = typeof(ConnectionMultiplexer).Assembly
            .GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "?";
        writer.WriteLine(Invariant($"Load driver: StackExchange.Redis {client}, .NET {Environment.Version}, {Environment.ProcessorCount} cores, {(GCSettings.IsServerGC ? "server" : "workstation")} GC."));
        writer.WriteLine(Invariant($"Each point: {options.Warmup.TotalSeconds:0.#} s warm-up, {options.Duration.TotalSeconds:0.#} s measured, median of {options.Repeats} run(s). Callers are spread round-robin over the multiplexers; each awaits one operation at a time."));
        writer.WriteLine();

        int baseline = options.Multiplexers[0];
        writer.WriteLine(Invariant($"### Throughput relative to {baseline} multiplexer(s) (median of per-run ratios)"));
        writer.WriteLine();
        writer.WriteLine("| op | value | callers | " + string.Join(" | ", options.Multiplexers.Select(m => Invariant($"{m} mux"))) + " |");
        writer.WriteLine("|---|---:|---:|" + string.Concat(options.Multiplexers.Select(_ => "---:|")));
        foreach (LoadShapeResult shape in results)
        {
            IEnumerable<string> cells = options.Multiplexers.Select(m => m == baseline
                ? Invariant($"1.00 ({Median(shape, m, s => s.OpsPerSecond):N0}/s)")
                : Invariant($"{shape.ThroughputRatio(m):F2}"));
            writer.WriteLine($"| {Name(shape.Operation)} | {Size(shape.ValueSize)} | {shape.Callers} | {string.Join(" | ", cells)} |");
        }

        writer.WriteLine();
        writer.WriteLine("### All figures (medians; the last column lists ops/s of each run)");
        writer.WriteLine();
        writer.WriteLine("| op | value | callers | mux | ops/s | ratio | p50 µs | p99 µs | max µs | alloc B/op | errors | ops/s per run |");
        writer.WriteLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|");
        foreach (LoadShapeResult shape in results)
        {
            foreach ((int multiplexers, List<LoadSample> samples) in shape.Samples)
            {
                string runs = string.Join(" / ", samples.Select(s => Invariant($"{s.OpsPerSecond:F0}")));
                writer.WriteLine(Invariant(
                    $"| {Name(shape.Operation)} | {Size(shape.ValueSize)} | {shape.Callers} | {multiplexers} | {Median(shape, multiplexers, s => s.OpsPerSecond):N0} | {shape.ThroughputRatio(multiplexers):F2} | {Median(shape, multiplexers, s => s.P50Micros):F0} | {Median(shape, multiplexers, s => s.P99Micros):F0} | {Median(shape, multiplexers, s => s.MaxMicros):F0} | {Median(shape, multiplexers, s => s.BytesPerOp):F0} | {samples.Sum(s => s.Errors)} | {runs} |"));
            }
        }
    }

    private static double Median(LoadShapeResult shape, int multiplexers, Func<LoadSample, double> value) =>
        LoadShapeResult.Median(shape.Samples[multiplexers].Select(value));

    private static string Name(LoadOperation operation) => operation switch
    {
        LoadOperation.Get => "GET",
        LoadOperation.Set => "SET",
        _ => "GET (lease)",
    };

    private static string Size(int bytes) => bytes % 1024 == 0 ? Invariant($"{bytes / 1024} KB") : Invariant($"{bytes} B");
}
