using System;
using System.Numerics;

namespace RedisCaching.Benchmarks.Load;

/// <summary>
/// Log-linear latency buckets in the style of HdrHistogram: exact below 64 ticks, then 32 buckets per power of
/// two (about 3% resolution), so recording is one increment in a preallocated array, whatever the run length.
/// One per caller, merged afterwards, so recording never contends.
/// </summary>
internal sealed class LatencyHistogram
{
    private const int SubBucketBits = 5;

    // Highest index: a shift of 57 (values up to 2^63) plus the top sub-bucket, 63.
    private readonly long[] _counts = new long[(57 << SubBucketBits) + 64];

    public long Count { get; private set; }

    public long Errors { get; private set; }

    public long MaxTicks { get; private set; }

    public void Record(long ticks)
    {
        ticks = Math.Max(ticks, 0);
        _counts[IndexOf(ticks)]++;
        Count++;
        MaxTicks = Math.Max(MaxTicks, ticks);
    }

    public void RecordError() => Errors++;

    public void Add(LatencyHistogram other)
    {
        for (int i = 0; i < _counts.Length; i++)
        {
            _counts[i] += other._counts[i];
        }

        Count += other.Count;
        Errors += other.Errors;
        MaxTicks = Math.Max(MaxTicks, other.MaxTicks);
    }

    /// <summary>The value at quantile <paramref name="q"/> (0..1), as the middle of its bucket.</summary>
    public long ValueAt(double q)
    {
        if (Count == 0)
        {
            return 0;
        }

        long target = Math.Max(1, (long)Math.Ceiling(q * Count));
        long seen = 0;
        for (int i = 0; i < _counts.Length; i++)
        {
            seen += _counts[i];
            if (seen >= target)
            {
                return Math.Min(MiddleOf(i), MaxTicks);
            }
        }

        return MaxTicks;
    }

    // index = (shift << 5) + (value >> shift), shift = max(0, msb - 5): the top 6 significant bits pick the bucket.
    private static int IndexOf(long value)
    {
        int msb = 63 - BitOperations.LeadingZeroCount((ulong)value);
        int shift = Math.Max(0, msb - SubBucketBits);
        return (shift << SubBucketBits) + (int)(value >> shift);
    }

    private static long MiddleOf(int index)
    {
        int shift = Math.Max(0, (index >> SubBucketBits) - 1);
        long lowest = (long)(index - (shift << SubBucketBits)) << shift;
        return lowest + ((1L << shift) >> 1);
    }
}
