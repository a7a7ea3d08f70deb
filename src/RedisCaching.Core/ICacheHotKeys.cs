using System.Collections.Generic;

namespace RedisCaching;

/// <summary>
/// The keys this instance has read most lately, for warming them (RedisCaching.Invalidation's
/// <c>AddHotKeyWarmingJob</c>). Every <see cref="ICache"/> that <c>AddRedisCaching</c> and <c>AddNamedCache</c>
/// register implements it (cast the cache to it).
/// </summary>
/// <remarks>
/// An estimate from a sample: about one read in <see cref="SampleEvery"/> (<c>TryGetAsync</c> and <c>GetOrSetAsync</c>,
/// hit or miss, chosen at random so a periodic access pattern cannot hide a key) records its key in a ring of the last
/// <see cref="Capacity"/> samples. Recording allocates nothing (a memory hit stays at 0 B). The ring is this process's
/// only: a new instance starts with none.
/// </remarks>
public interface ICacheHotKeys
{
    /// <summary>On average one read in this many is sampled.</summary>
    const int SampleEvery = 16;

    /// <summary>How many samples the ring keeps (the most recent ones).</summary>
    const int Capacity = 4096;

    /// <summary>The keys sampled most often in the ring, most first (ties in no particular order).</summary>
    /// <param name="count">At most this many keys.</param>
    /// <returns>The caller's keys as they were read; fewer than <paramref name="count"/> when fewer were sampled.</returns>
    IReadOnlyList<string> GetHotKeys(int count);
}
