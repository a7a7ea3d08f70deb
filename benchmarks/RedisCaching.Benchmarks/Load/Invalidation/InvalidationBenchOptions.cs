using System;
using System.Net;

namespace RedisCaching.Benchmarks.Load.Invalidation;

/// <summary>Arguments of the <c>invalidate</c> mode (see <see cref="InvalidationBenchCommand"/>).</summary>
internal sealed class InvalidationBenchOptions
{
    public IPEndPoint? Endpoint { get; set; }

    /// <summary>Keys in the key space before each run.</summary>
    public int Keys { get; set; } = 1_000_000;

    /// <summary>The share of them the pattern matches.</summary>
    public double MatchFraction { get; set; } = 0.1;

    /// <summary>Bytes per value.</summary>
    public int ValueSize { get; set; } = 100;

    /// <summary>Concurrent GET callers (the "other clients" whose latency is measured), each with one GET in flight.</summary>
    public int Callers { get; set; } = 8;

    /// <summary>Seconds of GET load measured before the invalidation starts (after a 1 s warm-up).</summary>
    public double Before { get; set; } = 5;

    /// <summary>Latency budgets to compare, in ms (0 = adaptive throttle off); one run of each per repeat, order rotated.</summary>
    public int[] BudgetsMs { get; set; } = [5, 0];

    public int ScanCount { get; set; } = 1000;

    /// <summary>Rate cap on examined keys per second (0 = none).</summary>
    public int MaxScannedKeysPerSecond { get; set; }

    public int Repeats { get; set; } = 3;

    /// <summary>Whether the invalidating instance has its in-process tier (then it also receives every removed key's tracking push).</summary>
    public bool Memory { get; set; } = true;

    public string? Output { get; set; }

    public bool Help { get; set; }

    public int Matching => (int)Math.Round(Keys * MatchFraction);
}
