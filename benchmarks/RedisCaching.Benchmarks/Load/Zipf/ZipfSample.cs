namespace RedisCaching.Benchmarks.Load.Zipf;

/// <summary>What one timed Zipf run of one peer measured (reads and writes started in the measured window).</summary>
internal sealed record ZipfSample(
    string Peer,
    double OpsPerSecond,
    long Reads,
    long Writes,
    long FactoryCalls,
    double HitRate,
    double ReadP50Micros,
    double ReadP99Micros,
    double WriteP50Micros,
    double WriteP99Micros,
    long StaleReads,
    long StaleBeyondWindow,
    double StaleP50Micros,
    double StaleMaxMicros,
    long Errors)
{
    /// <summary>The peer's staleness bound in ms (RedisCaching's Memory:MaxStaleness); null when it has none.</summary>
    public double? BoundMs { get; init; }

    /// <summary>Stale reads whose newer write had completed more than <see cref="BoundMs"/> before the read.</summary>
    public long StaleBeyondBound { get; init; }

    /// <summary>Memory hits the staleness lease refused in the measured window, both instances (RedisCaching only; else null).</summary>
    public long? LeaseRefusals { get; init; }

    /// <summary>Keys whose value in Redis was older than their last completed write once the run had stopped.</summary>
    public long RedisBehindLastWrite { get; init; }

    /// <summary>CPU, allocations, GCs and Redis commands per operation in the measured window.</summary>
    public ZipfCostPerOp? Cost { get; init; }
}
