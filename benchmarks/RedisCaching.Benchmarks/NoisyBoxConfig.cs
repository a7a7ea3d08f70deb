using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Jobs;
using Perfolizer.Horology;

namespace RedisCaching.Benchmarks;

/// <summary>
/// The configuration every suite runs with. The machine has 2 cores shared with other work and the server runs
/// on the same box, so absolute times drift between runs: read the Ratio column (to the baseline measured in the
/// same run) and the Median, not the Mean.
/// </summary>
public static class NoisyBoxConfig
{
    public const string JobId = "NoisyBox";

    public static IConfig Create() => DefaultConfig.Instance
        .AddJob(Job.Default
            .WithId(JobId)
            // One process: a second launch doubles the time and, on this box, mostly measures the neighbours.
            .WithLaunchCount(1)
            .WithWarmupCount(3)
            // 10 x 250 ms: enough samples for a median and an error bar, about 5 s per benchmark case.
            .WithIterationCount(10)
            .WithIterationTime(TimeInterval.FromMilliseconds(250))
            // The default job: used by every suite that names no jobs of its own (a suite that does, such as
            // TelemetryOverheadBenchmarks, runs only its own, derived from this one).
            .AsDefault())
        .AddDiagnoser(MemoryDiagnoser.Default)
        .AddColumn(StatisticColumn.Median, StatisticColumn.P95, StatisticColumn.OperationsPerSecond)
        .AddLogicalGroupRules(BenchmarkLogicalGroupRule.ByCategory, BenchmarkLogicalGroupRule.ByParams)
        .HideColumns(Column.Job);
}
