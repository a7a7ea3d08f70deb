using System;
using System.Collections.Generic;

namespace RedisCaching.Diagnostics;

/// <summary>What a bounded sample of the cache's keys shows, grouped by prefix, with recommendations.</summary>
public sealed record KeyAnalysisReport
{
    /// <summary>The groups, largest total size first.</summary>
    public required IReadOnlyList<KeyGroupStats> Groups { get; init; }

    /// <summary>Keys read (and measured) over all primaries.</summary>
    public long KeysRead { get; init; }

    /// <summary>Whether every primary's <c>SCAN</c> ran to its end within the bounds; false when <see cref="KeyAnalysisOptions.MaxKeys"/> or <see cref="KeyAnalysisOptions.MaxDuration"/> stopped it.</summary>
    public bool Complete { get; init; }

    /// <summary>How long the analysis took.</summary>
    public TimeSpan Elapsed { get; init; }

    /// <summary>What the figures suggest doing, in words; empty when nothing stands out.</summary>
    public required IReadOnlyList<string> Recommendations { get; init; }
}
