using System;

namespace RedisCaching.Diagnostics;

/// <summary>How far a key analysis (<see cref="ICacheAdministration.AnalyzeKeysAsync"/>) may go: it reads a bounded sample, never the whole keyspace at once.</summary>
public sealed record KeyAnalysisOptions
{
    /// <summary>The most keys read, over all primaries.</summary>
    /// <value>The default value is 10,000.</value>
    public int MaxKeys { get; init; } = 10_000;

    /// <summary>How long the analysis may run; what was read by then is reported, marked incomplete.</summary>
    /// <value>The default value is 2 seconds.</value>
    public TimeSpan MaxDuration { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>The <c>COUNT</c> of each <c>SCAN</c> call.</summary>
    /// <value>The default value is 1,000.</value>
    public int ScanCount { get; init; } = 1_000;

    /// <summary>How many parts of a key (after the cache's prefix) name its group: 1 groups <c>user:42:name</c> under <c>user</c>.</summary>
    /// <value>The default value is 1.</value>
    public int GroupDepth { get; init; } = 1;

    /// <summary>What separates the parts of a key.</summary>
    /// <value>The default value is <c>:</c>.</value>
    public char Separator { get; init; } = ':';
}
