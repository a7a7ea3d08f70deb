namespace RedisCaching.Diagnostics;

/// <summary>One group of keys in a key analysis: the keys read that share a prefix.</summary>
public sealed record KeyGroupStats
{
    /// <summary>The group: the first <see cref="KeyAnalysisOptions.GroupDepth"/> parts of the key after the cache's prefix (<c>!</c> for the cache's own keys).</summary>
    public required string Group { get; init; }

    /// <summary>Keys read in the group.</summary>
    public long Keys { get; init; }

    /// <summary>The sum of their <c>MEMORY USAGE</c>, in bytes.</summary>
    public long Bytes { get; init; }

    /// <summary>The largest of them, in bytes.</summary>
    public long LargestBytes { get; init; }

    /// <summary>Keys without a TTL (<c>PTTL</c> -1).</summary>
    public long WithoutTtl { get; init; }

    /// <summary>Keys with less than a minute to live.</summary>
    public long TtlUnderAMinute { get; init; }

    /// <summary>Keys with a minute to an hour to live.</summary>
    public long TtlUnderAnHour { get; init; }

    /// <summary>Keys with an hour to a day to live.</summary>
    public long TtlUnderADay { get; init; }

    /// <summary>Keys with a day or more to live.</summary>
    public long TtlADayOrMore { get; init; }
}
