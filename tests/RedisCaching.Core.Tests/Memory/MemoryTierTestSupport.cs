using System;
using System.Threading;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using System.Threading.Tasks;
using Microsoft.Extensions.Logging.Abstractions;
using NUnit.Framework;
using RedisCaching.Internal.Memory;
using RedisCaching.Testing;
using static RedisCaching.Core.Tests.Connections.ConnectionTestSupport;

namespace RedisCaching.Core.Tests.Memory;

/// <summary>Starting tiers against test servers, filling them, and waiting for invalidations with a deadline.</summary>
internal static class MemoryTierTestSupport
{
    public static readonly TimeSpan Deadline = TimeSpan.FromSeconds(5);

    public static async Task<CoherentMemoryTier> StartTierAsync(
        IRedisTestServer server,
        string prefix,
        Action<MemoryTierOptions>? adjust = null,
        Action<RedisConnectionOptions>? adjustConnection = null)
    {
        // The staleness bound only ever refuses hits (LeaseTests prove it); the tests of the mechanisms under it must
        // not depend on when a pinger thread runs on a loaded machine.
        var options = new MemoryTierOptions { RedirectCheckInterval = TimeSpan.FromMilliseconds(250), MaxStaleness = Timeout.InfiniteTimeSpan };
        adjust?.Invoke(options);
        var tier = new CoherentMemoryTier(OptionsFor(server, adjustConnection), options, prefix, NullLogger.Instance);
        await tier.StartAsync(default);

        // Enabling tracking finishes in the background; on a loaded machine it can take a moment after StartAsync.
        await WaitUntilAsync(() => tier.Mode is CacheCoherenceMode.Tracking or CacheCoherenceMode.Backplane);
        return tier;
    }

    public static MemoryEntry Entry(object? value, TimeSpan? lifetime = null)
    {
        var expires = DateTimeOffset.UtcNow + (lifetime ?? TimeSpan.FromHours(1));
        return new MemoryEntry(value, 16, expires, expires);
    }

    public static void Fill(IMemoryTier tier, string key, object? value)
    {
        var ticket = tier.BeginFill(key);
        Assert.That(tier.CompleteFill(key, ticket, Entry(value)), Is.True, "the fill was refused");
    }

    public static bool Holds(IMemoryTier tier, string key) => tier.TryGet(key, out _);

    /// <summary>Spins until <paramref name="condition"/> holds; returns the time it took, or null after <paramref name="timeout"/>.</summary>
    public static async Task<TimeSpan?> WaitUntilAsync(Func<bool> condition, TimeSpan? timeout = null)
    {
        var stopwatch = Stopwatch.StartNew();
        var limit = timeout ?? Deadline;
        var spins = 0;
        while (!condition())
        {
            if (stopwatch.Elapsed > limit)
            {
                return null;
            }

            // Spin briefly for a sharp measurement, then yield so the SE.Redis threads get the CPU (2 cores).
            if (++spins > 200)
            {
                await Task.Delay(1);
            }
            else
            {
                await Task.Yield();
            }
        }

        return stopwatch.Elapsed;
    }

    public static async Task WaitForModeAsync(CoherentMemoryTier tier, CacheCoherenceMode mode, TimeSpan? timeout = null)
    {
        var took = await WaitUntilAsync(() => tier.Mode == mode, timeout ?? TimeSpan.FromSeconds(15));
        Assert.That(took, Is.Not.Null, $"the tier did not reach {mode} (it is {tier.Mode})");
    }

    public static string Summary(IReadOnlyCollection<double> milliseconds)
    {
        if (milliseconds.Count == 0)
        {
            return "no samples";
        }

        var sorted = milliseconds.OrderBy(x => x).ToArray();
        double At(double q) => sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(q * sorted.Length) - 1)];
        return string.Create(
            CultureInfo.InvariantCulture,
            $"n={sorted.Length} p50={At(0.50):F3} ms p99={At(0.99):F3} ms max={sorted[^1]:F3} ms");
    }

    public static async Task<IRedisTestServer> StartServerAsync()
    {
        RedisAvailability.RequireServer();
        return await Servers.StartAsync(RedisTopology.Standalone);
    }

    public static string NewPrefix(string name) => RedisTestKeys.NewPrefix(name);

    public static List<double> Samples() => [];
}
