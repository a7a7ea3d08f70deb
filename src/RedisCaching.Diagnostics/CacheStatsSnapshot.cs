using System;
using System.Collections.Generic;

namespace RedisCaching.Diagnostics;

/// <summary>A stats snapshot of one cache: the app's counters and each Redis primary's figures.</summary>
public sealed class CacheStatsSnapshot
{
    /// <summary>When the snapshot was taken.</summary>
    public required DateTimeOffset TakenAt { get; init; }

    /// <summary>The previous snapshot's time (what the deltas are relative to), or null for the first.</summary>
    public DateTimeOffset? PreviousTakenAt { get; init; }

    /// <summary>The cache's own counters (cumulative since it started) and state.</summary>
    public required CacheStatistics Cache { get; init; }

    /// <summary>One entry per Redis primary (one for a standalone server).</summary>
    public required IReadOnlyList<RedisNodeStats> Nodes { get; init; }
}
