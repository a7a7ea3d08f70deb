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
    long Errors);
