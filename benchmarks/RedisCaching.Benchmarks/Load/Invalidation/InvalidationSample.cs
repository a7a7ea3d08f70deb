namespace RedisCaching.Benchmarks.Load.Invalidation;

/// <summary>One run: the invalidation's figures and the GET load's before and during it.</summary>
internal sealed record InvalidationSample(
    int Run,
    int BudgetMs,
    long Removed,
    double Seconds,
    long Batches,
    int FinalScanCount,
    double ThrottledMs,
    LatencyHistogram Before,
    double BeforeSeconds,
    LatencyHistogram During)
{
    public double RemovedPerSecond => Removed / Seconds;
}
