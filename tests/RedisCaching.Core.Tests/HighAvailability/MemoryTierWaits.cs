using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Threading.Tasks;
using NUnit.Framework;
using RedisCaching.Core.Tests.Cache;

namespace RedisCaching.Core.Tests.HighAvailability;

/// <summary>Waits on an instance's in-process tier, for the HA topology tests.</summary>
internal static class MemoryTierWaits
{
    /// <summary>How long a change made elsewhere may take to reach another instance's memory in these tests.</summary>
    public static readonly TimeSpan Window = TimeSpan.FromMilliseconds(500);

    /// <summary>
    /// Writes every key through <paramref name="cache"/> and reads it until it stays a memory hit: Redis tells us of our
    /// own write too (it went through the cluster connection), which drops the entry once, whenever it arrives.
    /// </summary>
    public static async Task FillAsync(CoherentCache cache, IEnumerable<string> keys, string suffix)
    {
        foreach (var key in keys)
        {
            await cache.Cache.SetAsync(key, key + suffix);
            await HoldAsync(cache, key, key + suffix);
        }
    }

    /// <summary>Reads <paramref name="key"/> through <paramref name="cache"/> until it is <paramref name="expected"/> from memory, twice 50 ms apart.</summary>
    public static async Task HoldAsync(CoherentCache cache, string key, string expected)
    {
        var stopwatch = Stopwatch.StartNew();
        var held = false;
        var (reads, fromMemory) = (0, 0);
        var (refusals, flushes, unavailable) = (cache.Tier.LeaseRefusals, cache.Tier.Flushes, cache.Tier.TimesUnavailable);
        while (!held && stopwatch.Elapsed < Window * 4)
        {
            var first = await ReadAsync(cache, key);
            reads++;
            if (first is { Tier: CacheTier.Memory } && first.Value.Value == expected)
            {
                fromMemory++;
                await Task.Delay(50);
                var again = await ReadAsync(cache, key);
                held = again is { Tier: CacheTier.Memory } && again.Value.Value == expected;
            }
        }

        var read = await cache.Cache.TryGetAsync<string>(key);

        // Says why memory would not hold it: the lease refused (pings late), flushes, the tier unavailable, or a hold-off.
        Assert.That(
            (read.Value, read.Tier),
            Is.EqualTo((expected, CacheTier.Memory)),
            $"{key} is held in memory; over {stopwatch.Elapsed.TotalMilliseconds:0} ms {reads} reads, {fromMemory} from memory; " +
            $"{cache.Tier.LeaseRefusals - refusals} lease refusals (lease held {cache.Tier.IsLeaseHeld}, {cache.Tier.LeasePings} pings answered), " +
            $"{cache.Tier.Flushes - flushes} flushes, {cache.Tier.TimesUnavailable - unavailable} times unavailable, mode {cache.Tier.Mode}, " +
            $"held off {(cache.Connection as RedisCaching.Internal.RedisConnection)?.HeldOffForFailover}");
    }

    /// <summary>
    /// For each key: <paramref name="second"/> holds <paramref name="first"/>'s value in memory, <paramref name="first"/>
    /// overwrites it, and <paramref name="second"/> must read the new value; returns the longest that took.
    /// </summary>
    public static async Task<TimeSpan> SecondFollowsAsync(CoherentCache first, CoherentCache second, IEnumerable<string> keys, string round)
    {
        var longest = TimeSpan.Zero;
        foreach (var key in keys)
        {
            await AcknowledgedSetAsync(first, key, $"{key}:{round}:1");
            await HoldAsync(second, key, $"{key}:{round}:1");
            var received = second.Tier.InvalidationsReceived;
            var sent = first.Tier.InvalidationsSent;
            await AcknowledgedSetAsync(first, key, $"{key}:{round}:2");
            var took = await SeenWithinAsync(second, key, $"{key}:{round}:2");
            longest = took > longest ? took : longest;
            if (took >= Window)
            {
                // Says where the late value was lost: never published, never received, or received but not applied.
                TestContext.Progress.WriteLine(
                    $"[memory tier waits] {round}: {key} took {took.TotalMilliseconds:0} ms; first sent {first.Tier.InvalidationsSent - sent} invalidation(s) " +
                    $"(mode {first.Tier.Mode}), second received {second.Tier.InvalidationsReceived - received} (mode {second.Tier.Mode}, " +
                    $"lease held {second.Tier.IsLeaseHeld}, {second.Tier.LeasePings} pings answered, {second.Tier.Reenables} re-enables, " +
                    $"{second.Tier.Flushes} flushes, {second.Tier.TimesUnavailable} times unavailable)");
            }
        }

        return longest;
    }

    /// <summary>
    /// Sets until Redis acknowledged it (the cache must run with <c>ThrowOnRedisFailure</c>): without it a write the
    /// cache could not make (a failover's hold-off) is a silent no-op, and the old value the other instance then holds
    /// would look like an incoherent memory tier.
    /// </summary>
    public static async Task AcknowledgedSetAsync(CoherentCache cache, string key, string value)
    {
        var stopwatch = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                await cache.Cache.SetAsync(key, value);
                return;
            }
            catch (CacheUnavailableException) when (stopwatch.Elapsed < TimeSpan.FromSeconds(10))
            {
                await Task.Delay(20);
            }
        }
    }

    /// <summary>
    /// A read, or null when the cache (with <c>ThrowOnRedisFailure</c>) refused it with its typed failure: a sentinel
    /// failover holds calls off until every connection follows the new primary, and the two instances' own watches
    /// may see its end at different times (a CI run once saw the second instance held off again after the probe).
    /// </summary>
    private static async Task<CacheResult<string>?> ReadAsync(CoherentCache cache, string key)
    {
        try
        {
            return await cache.Cache.TryGetAsync<string>(key);
        }
        catch (CacheUnavailableException)
        {
            await Task.Delay(20);
            return null;
        }
    }

    /// <summary>Reads until the cache returns <paramref name="expected"/> (null: a miss); how long that took.</summary>
    public static async Task<TimeSpan> SeenWithinAsync(CoherentCache cache, string key, string? expected)
    {
        var stopwatch = Stopwatch.StartNew();
        while (true)
        {
            var read = await ReadAsync(cache, key);
            // A refused read (null) is not an answer, not even the expected miss.
            if ((read is { } answered && (answered.HasValue ? answered.Value : null) == expected) || stopwatch.Elapsed > Window * 4)
            {
                return stopwatch.Elapsed;
            }

            await Task.Delay(1);
        }
    }
}
