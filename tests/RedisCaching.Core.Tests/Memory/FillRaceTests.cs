using System;
using System.Diagnostics;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using NUnit.Framework;
using RedisCaching.Internal.Memory;
using StackExchange.Redis;
using static RedisCaching.Core.Tests.Memory.MemoryTierTestSupport;

namespace RedisCaching.Core.Tests.Memory;

/// <summary>
/// The fill/invalidation race of redis-usage.md §2: a read that fills L1 and another client's write of the same
/// key start together, thousands of times. Once the write's invalidation has been delivered, L1 must hold the
/// new value or nothing, never the old one. Control lanes fill without the guard (ticket taken after the read)
/// under the same load, to show the race is real here.
/// </summary>
public class FillRaceTests
{
    private const int GuardedLanes = 8;
    private const int ControlLanes = 4;
    private const int MaxRounds = 1000;
    private static readonly TimeSpan TimeBudget = TimeSpan.FromSeconds(15);

    [Test]
    public async Task Fills_racing_writes_never_leave_L1_older_than_Redis()
    {
        await using var server = await StartServerAsync();
        var prefix = NewPrefix("race");
        await using var tier = await StartTierAsync(server, prefix);
        await using var reader = await ConnectionMultiplexer.ConnectAsync(server.CreateConfigurationOptions());
        await using var writer = await ConnectionMultiplexer.ConnectAsync(server.CreateConfigurationOptions());
        var rdb = reader.GetDatabase();
        var wdb = writer.GetDatabase();

        // Busy readers on the reading multiplexer: the measured race is worse under load.
        using var stop = new CancellationTokenSource();
        var busy = Enumerable.Range(0, 4).Select(_ => Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                await rdb.StringGetAsync("race-busy-key");
            }
        })).ToArray();

        var lanes = GuardedLanes + ControlLanes;
        long expected = 0;
        int guardedTrials = 0, stale = 0, refusedOld = 0, storedOldThenDropped = 0, controlTrials = 0, controlStale = 0;
        var stopwatch = Stopwatch.StartNew();
        var random = new Random(42);
        for (var round = 0; round < MaxRounds && stopwatch.Elapsed < TimeBudget; round++)
        {
            var keys = Enumerable.Range(0, lanes).Select(lane => $"{prefix}{round}:{lane}").ToArray();
            await Task.WhenAll(keys.Select(k => wdb.StringSetAsync(k, "old")));
            expected += lanes;
            await AwaitInvalidationsAsync(tier, expected);

            var jitters = keys.Select(_ => random.Next(0, 400)).ToArray();
            var writeFirst = keys.Select(_ => random.Next(2) == 0).ToArray();
            var results = await Task.WhenAll(keys.Select((key, lane) => RaceAsync(tier, rdb, wdb, key, jitters[lane], writeFirst[lane], guarded: lane < GuardedLanes)));
            expected += lanes;
            await AwaitInvalidationsAsync(tier, expected);

            for (var lane = 0; lane < lanes; lane++)
            {
                var (readOld, stored) = results[lane];
                var holdsOld = tier.TryGet(keys[lane], out var entry) && (string?)entry.Value == "old";
                if (lane < GuardedLanes)
                {
                    guardedTrials++;
                    stale += holdsOld ? 1 : 0;
                    refusedOld += readOld && !stored ? 1 : 0;
                    storedOldThenDropped += readOld && stored && !holdsOld ? 1 : 0;
                }
                else
                {
                    controlTrials++;
                    controlStale += holdsOld ? 1 : 0;
                }
            }
        }

        await stop.CancelAsync();
        await Task.WhenAll(busy);
        TestContext.Progress.WriteLine(
            $"fill race: {guardedTrials} guarded trials in {stopwatch.Elapsed.TotalSeconds:F1} s: {stale} stale; the guard refused {refusedOld} old reads, " +
            $"{storedOldThenDropped} old values were stored and then dropped by their invalidation; " +
            $"control without the guard: {controlStale}/{controlTrials} trials left L1 stale");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(guardedTrials, Is.GreaterThanOrEqualTo(1000), "too few trials for the time budget");
            Assert.That(stale, Is.Zero, "L1 held an older value than Redis after the invalidation was delivered");
            Assert.That(tier.Mode, Is.EqualTo(CacheCoherenceMode.Tracking));
        }
    }

    private static async Task<(bool ReadOld, bool Stored)> RaceAsync(
        CoherentMemoryTier tier, IDatabase rdb, IDatabase wdb, string key, int jitter, bool writeFirst, bool guarded)
    {
        Task<(bool, bool)> fill;
        Task write;
        if (writeFirst)
        {
            write = wdb.StringSetAsync(key, "new");
            Thread.SpinWait(jitter);
            fill = FillAsync(tier, rdb, key, guarded);
        }
        else
        {
            fill = FillAsync(tier, rdb, key, guarded);
            Thread.SpinWait(jitter);
            write = wdb.StringSetAsync(key, "new");
        }

        await write;
        return await fill;
    }

    private static async Task<(bool, bool)> FillAsync(CoherentMemoryTier tier, IDatabase rdb, string key, bool guarded)
    {
        var ticket = tier.BeginFill(key);
        var value = (string?)await rdb.StringGetAsync(key);

        // The control lane takes its ticket after the reply: that is a fill without the guard.
        var stored = tier.CompleteFill(key, guarded ? ticket : tier.BeginFill(key), Entry(value));
        return (value == "old", stored);
    }

    private static async Task AwaitInvalidationsAsync(CoherentMemoryTier tier, long expected) =>
        Assert.That(await WaitUntilAsync(() => tier.InvalidationsReceived >= expected), Is.Not.Null, $"expected {expected} invalidations, got {tier.InvalidationsReceived}");
}
