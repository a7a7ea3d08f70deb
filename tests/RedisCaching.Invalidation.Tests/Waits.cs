using System;
using System.Diagnostics;
using System.Threading.Tasks;

namespace RedisCaching.Invalidation.Tests;

/// <summary>Bounded waits for things that happen on another connection (invalidations travel asynchronously).</summary>
internal static class Waits
{
    /// <summary>Polls <paramref name="condition"/> until it holds; returns how long it took, or null on time-out.</summary>
    public static async Task<TimeSpan?> UntilAsync(Func<Task<bool>> condition, TimeSpan? timeout = null)
    {
        var limit = timeout ?? TimeSpan.FromSeconds(5);
        var stopwatch = Stopwatch.StartNew();
        while (true)
        {
            if (await condition())
            {
                return stopwatch.Elapsed;
            }

            if (stopwatch.Elapsed > limit)
            {
                return null;
            }

            await Task.Delay(2);
        }
    }

    /// <summary>
    /// Reads <paramref name="key"/> until <paramref name="cache"/> serves it from memory. A read right after another
    /// instance's write may race that write's invalidation, which then (rightly) refuses the fill; the next read fills.
    /// </summary>
    public static async Task<bool> InMemoryAsync(ICache cache, string key) =>
        await UntilAsync(async () => (await cache.TryGetAsync<string>(key)).Tier == CacheTier.Memory) is not null;

    /// <summary>A prefix of its own for each test (letters and digits: a valid Keys:Prefix and ACL pattern part).</summary>
    public static string NewPrefix(string start = "inv") => start + Guid.NewGuid().ToString("N")[..10];
}
