using System;

namespace RedisCaching.Serialization.Tests.Support;

/// <summary>Bytes the current thread allocated while running an action: deterministic, unlike timings.</summary>
public static class Allocations
{
    /// <summary>Runs <paramref name="action"/> <paramref name="warmUp"/> times, then measures <paramref name="runs"/> runs and returns bytes per run.</summary>
    public static long PerOperation(Action action, int warmUp = 200, int runs = 100)
    {
        for (int i = 0; i < warmUp; i++)
        {
            action();
        }

        // The least of three rounds: an allocation made per operation shows in every round, while a one-off one
        // (a lazily filled cache, the runtime's tiering on a loaded box) lands in one round only.
        long least = long.MaxValue;
        for (int round = 0; round < 3; round++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < runs; i++)
            {
                action();
            }

            least = Math.Min(least, (GC.GetAllocatedBytesForCurrentThread() - before) / runs);
        }

        return least;
    }

    /// <summary>Bytes one run of <paramref name="action"/> allocates.</summary>
    public static long Of(Action action)
    {
        long before = GC.GetAllocatedBytesForCurrentThread();
        action();
        return GC.GetAllocatedBytesForCurrentThread() - before;
    }
}
