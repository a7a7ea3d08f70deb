using System;
using System.Collections.Generic;
using System.Linq;
using System.Runtime.CompilerServices;
using System.Threading;

namespace RedisCaching.Internal.Engine;

/// <summary>
/// Samples the keys of reads into a fixed ring (see <see cref="ICacheHotKeys"/>). On the read path: a thread-static
/// xorshift step decides (a memory hit: a mix of the value its hit counter's stripe reached), and a sampled read
/// stores a reference to the caller's key string in a slot, so nothing is allocated and threads do not contend on a
/// counter for the 15 reads in 16 not sampled.
/// </summary>
internal sealed class HotKeySampler
{
    [ThreadStatic]
    private static uint t_random;

    private readonly string?[] _ring = new string?[ICacheHotKeys.Capacity];
    private int _next = -1;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Read(string key)
    {
        // Random rather than every 16th read: with a fixed period a loop over 16 keys would sample only one of them.
        var x = t_random;
        if (x == 0)
        {
            x = (uint)Environment.CurrentManagedThreadId * 2654435761u | 1;
        }

        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        t_random = x;
        if ((x & (ICacheHotKeys.SampleEvery - 1)) == 0)
        {
            Store(key);
        }
    }

    /// <summary>
    /// Like <see cref="Read(string)"/> for a memory hit, deciding from <paramref name="hitNumber"/> (the value the hit
    /// just gave its slot of the hit counter) instead of the thread-static generator, whose read cost ~2 ns of a
    /// ~35 ns hit (benchmarks/README.md, "L1 hit profile"). The counter goes through SplitMix64's output mix (two
    /// multiply-xorshift rounds): a Fibonacci hash alone was nearly periodic for round-robins over 233, 610 or 987 keys
    /// and sampled a tenth to a half of them, so a uniform load looked skewed (`HotKeySamplerTests`).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Read(string key, long hitNumber)
    {
        var z = (ulong)hitNumber * 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        if ((z ^ (z >> 31)) >> (64 - SampleBits) == 0)
        {
            Store(key);
        }
    }

    /// <summary>log2 of <see cref="ICacheHotKeys.SampleEvery"/>: the top bits of the hash that must be zero.</summary>
    private static readonly int SampleBits = System.Numerics.BitOperations.Log2(ICacheHotKeys.SampleEvery);

    private void Store(string key) =>
        Volatile.Write(ref _ring[Interlocked.Increment(ref _next) & (ICacheHotKeys.Capacity - 1)], key);

    public IReadOnlyList<string> Top(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var key in _ring)
        {
            if (key is not null)
            {
                counts[key] = counts.GetValueOrDefault(key) + 1;
            }
        }

        return [.. counts.OrderByDescending(static pair => pair.Value).Take(count).Select(static pair => pair.Key)];
    }

    /// <summary>How many samples of <paramref name="key"/> the ring holds (for tests).</summary>
    public int Samples(string key) => _ring.Count(k => string.Equals(k, key, StringComparison.Ordinal));
}
