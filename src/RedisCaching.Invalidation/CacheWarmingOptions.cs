using System;

namespace RedisCaching.Invalidation;

/// <summary>How <see cref="ICacheWarmer"/> loads entries.</summary>
public sealed class CacheWarmingOptions
{
    /// <summary>How many loads run at once (each a call of your loader and a write to the cache).</summary>
    /// <value>The default value is 4.</value>
    public int MaxConcurrency { get; set; } = 4;

    /// <summary>
    /// Whether entries already in the cache are loaded again and overwritten. Off: a key the cache holds (in memory or
    /// in Redis, e.g. warmed by another instance) is skipped, so warming every instance at start-up loads each key once.
    /// </summary>
    /// <value>The default value is <see langword="false"/>.</value>
    public bool Overwrite { get; set; }

    /// <summary>Options of the entries written (profile, TTL, tags); <see langword="null"/> for the defaults.</summary>
    /// <value>The default value is <see langword="null"/>.</value>
    public CacheEntryOptions? EntryOptions { get; set; }

    /// <summary>The least time between two progress reports (the last one is always sent).</summary>
    /// <value>The default value is 100 ms.</value>
    public TimeSpan ProgressInterval { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>Checks the values; the message names the setting at fault.</summary>
    /// <exception cref="ArgumentException">A value is out of range.</exception>
    public void Validate()
    {
        if (MaxConcurrency < 1)
        {
            throw new ArgumentException("CacheWarmingOptions.MaxConcurrency must be at least 1.", nameof(MaxConcurrency));
        }

        if (ProgressInterval < TimeSpan.Zero)
        {
            throw new ArgumentException("CacheWarmingOptions.ProgressInterval must not be negative.", nameof(ProgressInterval));
        }
    }
}
