using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Threading.Tasks;
using Microsoft.Extensions.DependencyInjection;
using RedisCaching.Invalidation;
using StackExchange.Redis;
using static System.FormattableString;

namespace RedisCaching.Benchmarks.Load.Invalidation;

/// <summary>
/// <c>invalidate</c> mode: a key space of <c>--keys</c> keys of which <c>--match</c> match the pattern; the cost of
/// removing them with <see cref="ICacheInvalidator.InvalidateByPatternAsync"/> (time, keys/s) and what it does to the
/// p99 of other clients' GETs, measured before and during the run, per latency budget of the adaptive throttle.
/// </summary>
internal static class InvalidationBenchCommand
{
    private const string Usage = """
        Usage: RedisCaching.Benchmarks invalidate [options]
          --endpoint host:port   loopback Redis (default: $REDISCACHING_BENCH_REDIS)
          --keys 1000000         keys in the key space before each run
          --match 0.1            share of them the pattern matches
          --value-size 100       bytes per value
          --callers 8            concurrent GET callers measured before and during the invalidation
          --before 5             seconds of GET load measured before the invalidation (after 1 s warm-up)
          --budgets 5,0          LatencyBudget values in ms to compare (0: adaptive throttle off)
          --scan-count 1000      SCAN COUNT
          --max-rate 0           MaxScannedKeysPerSecond (0: no cap)
          --memory on            the invalidating instance's in-process tier (on: it receives a tracking push per removed key)
          --repeats 3
          --out FILE
        """;

    private const string Prefix = "invbench";

    public static async Task<int> RunAsync(ReadOnlyMemory<string> args)
    {
        var (options, exitCode) = await CommandLineOptions.ParseAsync(args, Parse, Usage, o => o.Help);
        if (options is null)
        {
            return exitCode;
        }

        var endpoint = options.Endpoint ?? BenchEndpoint.FromEnvironment();
        var address = endpoint.ToString();
        await using var fillConnection = await ConnectionMultiplexer.ConnectAsync(address);
        await using var loadConnection = await ConnectionMultiplexer.ConnectAsync(address);
        await using var services = new ServiceCollection()
            .AddRedisCaching(o =>
            {
                o.Redis.ConnectionString = address;
                o.Keys.Prefix = Prefix;
                o.Memory.Enabled = options.Memory;
            })
            .WithoutEnvironmentVariables()
            .AddInvalidation()
            .Services.BuildServiceProvider();
        var invalidator = services.GetRequiredService<ICacheInvalidator>();
        var cache = (ICacheKeySpace)services.GetRequiredService<ICache>();

        var value = new byte[options.ValueSize];
        Random.Shared.NextBytes(value);
        var database = fillConnection.GetDatabase();
        int others = options.Keys - options.Matching;
        Console.WriteLine($"Filling {others:N0} other keys ...");
        double fillSeconds = await KeyFiller.FillAsync(database, Prefix + ":o:", others, value);
        Console.WriteLine(Invariant($"  {fillSeconds:F1} s ({others / fillSeconds:N0} keys/s)"));

        var samples = new List<InvalidationSample>();
        for (int repeat = 1; repeat <= options.Repeats; repeat++)
        {
            for (int b = 0; b < options.BudgetsMs.Length; b++)
            {
                int budget = options.BudgetsMs[(b + repeat - 1) % options.BudgetsMs.Length];
                double matchFill = await KeyFiller.FillAsync(database, Prefix + ":m:", options.Matching, value);
                Console.WriteLine(Invariant($"Run {repeat}, budget {budget} ms: {options.Matching:N0} matching keys written in {matchFill:F1} s; mode {cache.CoherenceMode}"));
                var sample = await RunOnceAsync(options, invalidator, loadConnection.GetDatabase(), repeat, budget);
                samples.Add(sample);
                Console.WriteLine(Invariant($"  removed {sample.Removed:N0} in {sample.Seconds:F2} s = {sample.RemovedPerSecond:N0} keys/s ({options.Keys / sample.Seconds:N0} examined/s), {sample.Batches} batches, {sample.ThrottledMs:F0} ms throttled; GET p99 {Micros(sample.Before.ValueAt(0.99)):F0} µs before, {Micros(sample.During.ValueAt(0.99)):F0} µs during"));
            }
        }

        string report = Report(options, samples, fillSeconds, others);
        Console.WriteLine();
        Console.WriteLine(report);
        if (options.Output is { } path)
        {
            await File.WriteAllTextAsync(path, report);
            Console.WriteLine($"Report written to {path}");
        }

        return 0;
    }

    private static async Task<InvalidationSample> RunOnceAsync(InvalidationBenchOptions options, ICacheInvalidator invalidator, IDatabase loadDatabase, int run, int budgetMs)
    {
        var load = new GetLoad(loadDatabase, Prefix + ":o:", options.Keys - options.Matching, options.Callers);
        load.Start();
        await Task.Delay(TimeSpan.FromSeconds(1));
        load.Enter(GetLoad.BeforePhase);
        long beforeStarted = Stopwatch.GetTimestamp();
        await Task.Delay(TimeSpan.FromSeconds(options.Before));
        double beforeSeconds = Stopwatch.GetElapsedTime(beforeStarted).TotalSeconds;

        load.Enter(GetLoad.DuringPhase);
        PatternInvalidationProgress? last = null;
        long started = Stopwatch.GetTimestamp();
        long removed = await invalidator.InvalidateByPatternAsync(
            "m:*",
            new PatternInvalidationOptions
            {
                ScanCount = options.ScanCount,
                LatencyBudget = TimeSpan.FromMilliseconds(budgetMs),
                MaxScannedKeysPerSecond = options.MaxScannedKeysPerSecond > 0 ? options.MaxScannedKeysPerSecond : null,
                ProgressInterval = TimeSpan.FromSeconds(1),
            },
            new LastProgress(p => last = p));
        double seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        await load.StopAsync();
        return new InvalidationSample(run, budgetMs, removed, seconds, last?.Batches ?? 0, last?.ScanCount ?? 0, last?.Throttled.TotalMilliseconds ?? 0, load.Of(GetLoad.BeforePhase), beforeSeconds, load.Of(GetLoad.DuringPhase));
    }

    private static string Report(InvalidationBenchOptions options, List<InvalidationSample> samples, double fillSeconds, int others)
    {
        var report = new StringWriter(CultureInfo.InvariantCulture);
        report.WriteLine(Invariant($"Pattern invalidation: {options.Keys:N0} keys ({options.ValueSize} B values), {options.Matching:N0} match `m:*`; SCAN COUNT {options.ScanCount}; invalidating instance's memory tier {(options.Memory ? "on (tracking)" : "off")}; {options.Callers} GET callers on another connection, {options.Before:0.#} s measured before, then during the run; median of {options.Repeats} run(s) per budget; .NET {Environment.Version}, {Environment.ProcessorCount} cores. Fill: {others:N0} keys in {fillSeconds:F1} s (MSET x 1,000, 8 in flight)."));
        report.WriteLine();
        report.WriteLine("| LatencyBudget | removed | seconds | removed/s | examined/s | batches | throttled ms | GET/s before | GET/s during | GET p50 µs before / during | GET p99 µs before / during | GET max ms before / during | runs (removed/s; p99 during µs) |");
        report.WriteLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|");
        foreach (var group in samples.GroupBy(s => s.BudgetMs))
        {
            var runs = group.ToList();
            string budget = group.Key == 0 ? "off" : Invariant($"{group.Key} ms");
            report.WriteLine(
                Invariant($"| {budget} | {Median(runs, s => s.Removed):N0} | {Median(runs, s => s.Seconds):F2} | {Median(runs, s => s.RemovedPerSecond):N0} | {Median(runs, s => options.Keys / s.Seconds):N0} | {Median(runs, s => s.Batches):N0} | {Median(runs, s => s.ThrottledMs):N0} ")
                + Invariant($"| {Median(runs, s => s.Before.Count / s.BeforeSeconds):N0} | {Median(runs, s => s.During.Count / s.Seconds):N0} ")
                + Invariant($"| {Median(runs, s => Micros(s.Before.ValueAt(0.5))):F0} / {Median(runs, s => Micros(s.During.ValueAt(0.5))):F0} ")
                + Invariant($"| {Median(runs, s => Micros(s.Before.ValueAt(0.99))):F0} / {Median(runs, s => Micros(s.During.ValueAt(0.99))):F0} ")
                + Invariant($"| {Median(runs, s => Micros(s.Before.MaxTicks) / 1000):F1} / {Median(runs, s => Micros(s.During.MaxTicks) / 1000):F1} ")
                + $"| {string.Join(" / ", runs.Select(s => Invariant($"{s.RemovedPerSecond:N0}; {Micros(s.During.ValueAt(0.99)):F0}")))} |");
        }

        long errors = samples.Sum(s => s.Before.Errors + s.During.Errors);
        report.WriteLine();
        report.WriteLine(Invariant($"GET errors: {errors}. examined/s = keys in the key space / seconds (SCAN visits all of them)."));
        return report.ToString();
    }

    private static double Median(List<InvalidationSample> runs, Func<InvalidationSample, double> value)
    {
        double[] sorted = [.. runs.Select(value).Order()];
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
    }

    private static double Micros(long ticks) => ticks * 1_000_000.0 / Stopwatch.Frequency;

    private static InvalidationBenchOptions Parse(ReadOnlySpan<string> args)
    {
        var options = new InvalidationBenchOptions();
        CommandLineOptions.Walk(args, () => options.Help = true, (name, value) =>
        {
            switch (name)
            {
                case "--endpoint": options.Endpoint = BenchEndpoint.Parse(value); return true;
                case "--keys": options.Keys = (int)CommandLineOptions.Number(name, value, 10); return true;
                case "--match": options.MatchFraction = CommandLineOptions.Number(name, value, 0.0001); return true;
                case "--value-size": options.ValueSize = (int)CommandLineOptions.Number(name, value, 1); return true;
                case "--callers": options.Callers = (int)CommandLineOptions.Number(name, value, 1); return true;
                case "--before": options.Before = CommandLineOptions.Number(name, value, 0.1); return true;
                case "--budgets": options.BudgetsMs = [.. value.Split(',').Select(part => (int)CommandLineOptions.Number(name, part, 0))]; return true;
                case "--scan-count": options.ScanCount = (int)CommandLineOptions.Number(name, value, 1); return true;
                case "--max-rate": options.MaxScannedKeysPerSecond = (int)CommandLineOptions.Number(name, value, 0); return true;
                case "--memory": options.Memory = value is "on" or "true" ? true : value is "off" or "false" ? false : throw new ArgumentException("--memory is on or off."); return true;
                case "--repeats": options.Repeats = (int)CommandLineOptions.Number(name, value, 1); return true;
                case "--out": options.Output = value; return true;
                default: return false;
            }
        });
        return options.MatchFraction <= 1 ? options : throw new ArgumentException("--match must be at most 1.");
    }

    private sealed class LastProgress(Action<PatternInvalidationProgress> report) : IProgress<PatternInvalidationProgress>
    {
        public void Report(PatternInvalidationProgress value) => report(value);
    }
}
