using System;
using System.Threading;

namespace RedisCaching.Internal.Memory;

/// <summary>
/// Per-key invalidation versions in fixed memory, for the fill/invalidation race. Every invalidation takes the
/// next number of a tier-wide sequence and raises its key's stripe to it; a fill ticket remembers the sequence
/// when the read was sent, and the fill is refused if the key's stripe rose above it. Stripes are indexed by the
/// key's hash, so a key that was never stored is covered too (an in-flight fill of a key not yet in L1 is exactly
/// the race), memory stays bounded however many keys are invalidated, and nothing is allocated. A collision only
/// refuses a fill (one extra miss), never keeps a stale value.
/// </summary>
internal sealed class InvalidationVersions
{
    private const int StripeCount = 1 << 14;
    private readonly long[] _stripes = new long[StripeCount];
    private long _sequence;

    /// <summary>The version a fill ticket remembers.</summary>
    public long Current => Interlocked.Read(ref _sequence);

    /// <summary>Records an invalidation of <paramref name="key"/>; call before removing the key from the store.</summary>
    public void Bump(string key)
    {
        var version = Interlocked.Increment(ref _sequence);
        ref var stripe = ref _stripes[Index(key)];
        var seen = Interlocked.Read(ref stripe);

        // Raise to the maximum: concurrent invalidations of colliding keys may finish out of order.
        while (seen < version)
        {
            var previous = Interlocked.CompareExchange(ref stripe, version, seen);
            if (previous == seen)
            {
                return;
            }

            seen = previous;
        }
    }

    /// <summary>Whether <paramref name="key"/> was (possibly) invalidated after <paramref name="version"/> was read.</summary>
    public bool ChangedSince(string key, long version) => Interlocked.Read(ref _stripes[Index(key)]) > version;

    private static int Index(string key) => (int)((uint)StringComparer.Ordinal.GetHashCode(key) & (StripeCount - 1));
}
