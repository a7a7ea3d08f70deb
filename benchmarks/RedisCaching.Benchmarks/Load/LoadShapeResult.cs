using System.Collections.Generic;
using System.Linq;

namespace RedisCaching.Benchmarks.Load;

/// <summary>Every run of one shape (operation, value size, callers), per multiplexer count.</summary>
internal sealed class LoadShapeResult(LoadOperation operation, int valueSize, int callers, int baselineMultiplexers)
{
    public LoadOperation Operation { get; } = operation;

    public int ValueSize { get; } = valueSize;

    public int Callers { get; } = callers;

    public int BaselineMultiplexers { get; } = baselineMultiplexers;

    /// <summary>Per multiplexer count, one sample per repeat, in repeat order.</summary>
    public SortedDictionary<int, List<LoadSample>> Samples { get; } = [];

    public void Add(int multiplexers, LoadSample sample)
    {
        if (!Samples.TryGetValue(multiplexers, out List<LoadSample>? list))
        {
            Samples[multiplexers] = list = [];
        }

        list.Add(sample);
    }

    /// <summary>Throughput relative to the baseline count, taken per repeat (runs made minutes apart see
    /// different neighbours on this box) and then the median.</summary>
    public double ThroughputRatio(int multiplexers)
    {
        List<LoadSample> baseline = Samples[BaselineMultiplexers];
        List<LoadSample> other = Samples[multiplexers];
        return Median(Enumerable.Range(0, other.Count)
            .Select(i => baseline[i].OpsPerSecond == 0 ? 0 : other[i].OpsPerSecond / baseline[i].OpsPerSecond));
    }

    public static double Median(IEnumerable<double> values)
    {
        double[] sorted = [.. values.Order()];
        if (sorted.Length == 0)
        {
            return 0;
        }

        int middle = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    }
}
