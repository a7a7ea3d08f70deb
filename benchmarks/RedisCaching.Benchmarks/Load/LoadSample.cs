namespace RedisCaching.Benchmarks.Load;

/// <summary>What one timed run of one shape measured.</summary>
internal readonly record struct LoadSample(
    long Ops,
    double OpsPerSecond,
    double P50Micros,
    double P99Micros,
    double MaxMicros,
    double BytesPerOp,
    long Errors);
