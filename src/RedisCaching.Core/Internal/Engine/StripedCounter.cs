using System;
using System.Runtime.InteropServices;
using System.Threading;

namespace RedisCaching.Internal.Engine;

/// <summary>
/// A counter incremented on every memory hit, from every core at once. One shared <c>long</c> bounced its cache line
/// between the cores on each hit (an <see cref="Interlocked"/> increment that must first take the line from the other
/// core costs more than the rest of the hit); here each core adds to its own slot, padded to its own cache lines, and a
/// read sums the slots. Reads are rare (metrics collection, statistics) and may miss increments in flight, as a read of
/// the single counter could.
/// </summary>
internal sealed class StripedCounter
{
    /// <summary>
    /// Slots per core: a power of two at least the processor count (capped, since a read walks them all), so the slot
    /// of a core is <c>id &amp; mask</c>. A thread moved to another core between reading its id and the increment only
    /// shares a slot for that once: the increment stays atomic.
    /// </summary>
    private readonly Slot[] _slots = new Slot[(int)Math.Min(64u, System.Numerics.BitOperations.RoundUpToPowerOf2((uint)Environment.ProcessorCount))];

    public long Value
    {
        get
        {
            long sum = 0;
            for (var i = 0; i < _slots.Length; i++)
            {
                sum += Volatile.Read(ref _slots[i].Count);
            }

            return sum;
        }
    }

    /// <returns>The count of the slot this increment went to, after it.</returns>
    public long Increment() =>
        Interlocked.Increment(ref _slots[Thread.GetCurrentProcessorId() & (_slots.Length - 1)].Count);

    /// <summary>128 bytes: the count in the middle of its own pair of cache lines (adjacent-line prefetch pairs them).</summary>
    [StructLayout(LayoutKind.Explicit, Size = 128)]
    private struct Slot
    {
        [FieldOffset(64)]
        public long Count;
    }
}
