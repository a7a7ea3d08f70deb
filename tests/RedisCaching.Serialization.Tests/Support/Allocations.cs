using System;

namespace RedisCaching.Serialization.Tests.Support;

/// <summary>Bytes the current thread allocated while running an action: deterministic, unlike timings.</summary>
public static class Allocations
{
    /// <summary>Runs <paramref name="action"/> <paramref name="warmUp"/> times, then measures <paramref name="runs"/> runs and returns bytes per run.</summary>
    public static long PerOperation(Action action, int warmUp = 20, int runs = 100)
    {
        for (int i = 0; i < warmUp; i++)
        {
            action();
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < runs; i++)
        {
            action();
        }

        return (GC.GetAllocatedBytesForCurrentThread() - before) / runs;
    }

    /// <summary>Bytes one run of <paramref name="action"/> allocates.</summary>
    public static long Of(Action action)
    {
        long before = GC.GetAllocatedBytesForCurrentThread();
        action();
        return GC.GetAllocatedBytesForCurrentThread() - before;
    }
}
