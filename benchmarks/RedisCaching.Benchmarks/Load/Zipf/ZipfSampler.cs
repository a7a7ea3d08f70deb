using System;

namespace RedisCaching.Benchmarks.Load.Zipf;

/// <summary>Draws key ranks 0..n-1 with probability proportional to 1 / (rank + 1)^s, by binary search in a
/// precomputed cumulative distribution (one array shared read-only by every caller).</summary>
internal sealed class ZipfSampler
{
    private readonly double[] _cumulative;

    public ZipfSampler(int keys, double exponent)
    {
        _cumulative = new double[keys];
        double sum = 0;
        for (int i = 0; i < keys; i++)
        {
            sum += 1.0 / Math.Pow(i + 1, exponent);
            _cumulative[i] = sum;
        }

        for (int i = 0; i < keys; i++)
        {
            _cumulative[i] /= sum;
        }
    }

    public int Next(Random random)
    {
        int index = Array.BinarySearch(_cumulative, random.NextDouble());
        return Math.Min(index < 0 ? ~index : index, _cumulative.Length - 1);
    }
}
