using System;
using System.Diagnostics;
using System.Linq;
using System.Net;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.Logging.Abstractions;
using NUnit.Framework;
using RedisCaching.Internal;
using RedisCaching.Testing;

namespace RedisCaching.Core.Tests.HighAvailability;

/// <summary>
/// The sentinel watch's failover marks, against real sentinels plus a plain redis-server standing in as one more
/// sentinel: real sentinels refuse PUBLISH, so that server is where the test publishes failover events of its own.
/// </summary>
[Category("HaTopology")]
public sealed class SentinelWatchTests
{
    [OneTimeSetUp]
    public void RequireServer() => RedisAvailability.RequireServer();

    [Test]
    public async Task A_failover_start_whose_end_never_came_does_not_swallow_the_next_one()
    {
        await using var sentinel = await RedisTestServers.StartSentinelAsync();
        await using var publisher = await RedisTestServers.StartAsync();
        var configuration = sentinel.CreateConfigurationOptions();
        configuration.EndPoints.Add(new IPEndPoint(IPAddress.Loopback, publisher.Port));
        var time = new ShiftedTimeProvider();
        await using var watch = new SentinelWatch(configuration, NullLogger.Instance, time);
        var starts = 0;
        watch.FailoverStarting += () => Interlocked.Increment(ref starts);
        await watch.StartAsync();
        var primary = (IPEndPoint)watch.Primary!;

        // The leader's event as a sentinel publishes it, naming a replica nobody listens on (the promotion watch then
        // only retries until the failover counts as given up).
        var start = $"slave unreachable 127.0.0.1 1 @ {sentinel.ServiceName} {primary.Address} {primary.Port}";
        await publisher.RunCliAsync("PUBLISH", "+failover-state-send-slaveof-noone", start);
        await ClusterMemoryTierTests.WaitUntilAsync(() => Task.FromResult(Volatile.Read(ref starts) == 1), TimeSpan.FromSeconds(5));
        Assert.That(watch.FailoverInProgress, Is.True, "the start is marked");

        // No abort and no new primary ever came (a leader that died mid-failover): the mark goes stale.
        time.Advance(SentinelWatch.MaxFailoverDuration + TimeSpan.FromSeconds(1));
        Assert.That(watch.FailoverInProgress, Is.False, "a mark older than the longest failover is over");

        await publisher.RunCliAsync("PUBLISH", "+failover-state-send-slaveof-noone", start);
        await ClusterMemoryTierTests.WaitUntilAsync(() => Task.FromResult(Volatile.Read(ref starts) == 2), TimeSpan.FromSeconds(5));
        using (Assert.EnterMultipleScope())
        {
            Assert.That(starts, Is.EqualTo(2));
            Assert.That(watch.FailoverInProgress, Is.True, "the next failover is marked afresh, so calls are held off for it");
            Assert.That(watch.AdoptedSinceFailoverMarked, Is.False, "no new primary since that mark: the start is not a late one");
        }
    }

    [Test]
    public async Task A_sentinel_down_at_start_is_not_waited_for_and_gives_its_events_once_it_is_up()
    {
        await using var sentinel = await RedisTestServers.StartSentinelAsync();
        await using var publisher = await RedisTestServers.StartAsync();
        await publisher.StopAsync();
        var configuration = sentinel.CreateConfigurationOptions();
        configuration.EndPoints.Add(new IPEndPoint(IPAddress.Loopback, publisher.Port));

        // The start still waits for each connect attempt (a closed port usually fails at once; under load
        // StackExchange.Redis has taken up to its connect timeout, and a start of 2.0 s was once seen beside a CPU
        // burner). So the discriminating check is not the start's time but that no subscription was tried on the
        // sentinel that is down: one would wait in StackExchange.Redis's backlog until its 2 s timeout, and the start
        // (the cache's first connect) with it. The time is bounded loosely, against a hang.
        configuration.ConnectTimeout = 1000;
        await using var watch = new SentinelWatch(configuration, NullLogger.Instance, TimeProvider.System);
        var starts = 0;
        watch.FailoverStarting += () => Interlocked.Increment(ref starts);
        var starting = Stopwatch.StartNew();
        await watch.StartAsync();
        var startedIn = starting.Elapsed;
        var primary = (IPEndPoint)watch.Primary!;
        using (Assert.EnterMultipleScope())
        {
            Assert.That(watch.LiveEventSources, Is.EqualTo(sentinel.Sentinels.Count), "the sentinels that are up give their events from the start");
            Assert.That(watch.SubscribeAttempts, Is.EqualTo(sentinel.Sentinels.Count), "a subscription was tried on the sentinel that is down (the start would wait out its timeout)");
            Assert.That(startedIn, Is.LessThan(TimeSpan.FromSeconds(5)), "the start hung");
        }

        // Once it is up (StackExchange.Redis reconnects on its own schedule), a poll subscribes to it: its events count.
        // (Its first channel may deliver before the last is subscribed, so both are waited for.)
        await publisher.RestartAsync();
        var start = $"slave unreachable 127.0.0.1 1 @ {sentinel.ServiceName} {primary.Address} {primary.Port}";
        var upAgain = Stopwatch.StartNew();
        await ClusterMemoryTierTests.WaitUntilAsync(
            async () =>
            {
                if (Volatile.Read(ref starts) == 0)
                {
                    await publisher.RunCliAsync("PUBLISH", "+failover-state-send-slaveof-noone", start);
                }

                return Volatile.Read(ref starts) != 0 && watch.LiveEventSources == sentinel.Sentinels.Count + 1;
            },
            TimeSpan.FromSeconds(30));
        TestContext.Out.WriteLine($"started in {startedIn.TotalMilliseconds:0} ms with one sentinel down; its event seen {upAgain.ElapsedMilliseconds} ms after it came up");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(starts, Is.Not.Zero, "the event of a sentinel that was down at start never arrived");
            Assert.That(watch.LiveEventSources, Is.EqualTo(sentinel.Sentinels.Count + 1));
        }
    }

    [Test]
    public async Task Without_events_a_failover_is_followed_at_the_promotion_before_the_sentinels_switch_the_address()
    {
        await using var sentinel = await RedisTestServers.StartSentinelAsync();

        // A user without channel access on the sentinels ("&*" missing): SUBSCRIBE is refused, the polls are all the
        // watch has. On the data nodes it may do anything (the watch asks the selected replica for its ROLE).
        foreach (var node in sentinel.DataNodes)
        {
            Assert.That(await node.RunCliAsync("ACL", "SETUSER", "pollonly", "on", ">pollonly-pw", "~*", "&*", "+@all"), Is.EqualTo("OK"));
        }

        foreach (var node in sentinel.Sentinels)
        {
            Assert.That(await node.RunCliAsync("ACL", "SETUSER", "pollonly", "on", ">pollonly-pw", "+@all"), Is.EqualTo("OK"));
        }

        var configuration = sentinel.CreateConfigurationOptions();
        configuration.User = "pollonly";
        configuration.Password = "pollonly-pw";
        await using var watch = new SentinelWatch(configuration, NullLogger.Instance, TimeProvider.System);
        var clock = new Stopwatch();
        var follow = new TaskCompletionSource<(EndPoint Primary, TimeSpan At)>(TaskCreationOptions.RunContinuationsAsynchronously);
        watch.PrimaryChanged += primary => follow.TrySetResult((primary, clock.Elapsed));
        await watch.StartAsync();
        var oldPrimary = (IPEndPoint)watch.Primary!;
        Assert.That(watch.LiveEventSources, Is.Zero, "the sentinels were to refuse their events");

        // The leader (the sentinel told to fail over) names the promoted replica at its first INFO of it after the
        // promotion: during a failover it sends INFO every second, counted from its last one (every 10 s otherwise).
        // The watch is to follow at the promotion itself, found through the leader's replica list, as its events would
        // have told it. The leader is sampled every few milliseconds, so a watch that only polled the switched address
        // could lead it by no more than that.
        var leaderEndpoint = sentinel.SentinelEndpoints[0];
        await using var leader = await StackExchange.Redis.ConnectionMultiplexer.ConnectAsync(SentinelDiagnosis.SentinelProbeOptions(configuration, leaderEndpoint, abortOnConnectFail: true));
        await sentinel.WaitUntilReadyAsync();

        // Started when the leader's last INFO of the replica is over a second old: then one goes out as the failover
        // starts, before the promotion, and the one that names the new primary a second later. (Started just under a
        // second after one, the next would land right after the promotion, and the leader name it at once.)
        await ClusterMemoryTierTests.WaitUntilAsync(
            async () => (await leader.GetServer(leaderEndpoint).SentinelReplicasAsync(sentinel.ServiceName))
                .All(r => long.TryParse(r.FirstOrDefault(f => f.Key == "info-refresh").Value, out var ms) && ms is >= 1_100 and <= 9_000),
            TimeSpan.FromSeconds(15));
        clock.Start();
        Assert.That(await sentinel.Sentinels[0].RunCliAsync("SENTINEL", "FAILOVER", sentinel.ServiceName), Is.EqualTo("OK"));
        TimeSpan? namedAt = null;
        var namedPort = 0;
        while (namedAt is null && clock.Elapsed < TimeSpan.FromSeconds(15))
        {
            if (await leader.GetServer(leaderEndpoint).SentinelGetMasterAddressByNameAsync(sentinel.ServiceName) is IPEndPoint named && named.Port != oldPrimary.Port)
            {
                namedAt = clock.Elapsed;
                namedPort = named.Port;
            }
            else
            {
                await Task.Delay(2);
            }
        }

        var (followed, followedAt) = await follow.Task.WaitAsync(TimeSpan.FromSeconds(15));
        TestContext.Out.WriteLine(
            $"poll-only: followed {followed} {followedAt.TotalMilliseconds:0} ms after SENTINEL FAILOVER; a sentinel named it first at {namedAt?.TotalMilliseconds:0} ms");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(namedAt, Is.Not.Null, "no sentinel named a new primary within 15 s");
            Assert.That(((IPEndPoint)followed).Port, Is.EqualTo(namedPort), "the watch followed another node than the sentinels named");
            Assert.That(followedAt, Is.LessThan((namedAt ?? TimeSpan.Zero) - TimeSpan.FromMilliseconds(50)), "the watch followed only once the sentinels switched the address");
        }
    }

    /// <summary>The system clock, moved forward on demand (timers stay the system's).</summary>
    private sealed class ShiftedTimeProvider : TimeProvider
    {
        private long _shift;

        public void Advance(TimeSpan by) => Interlocked.Add(ref _shift, (long)(by.TotalSeconds * TimestampFrequency));

        public override long GetTimestamp() => System.GetTimestamp() + Interlocked.Read(ref _shift);

        public override DateTimeOffset GetUtcNow() => System.GetUtcNow() + TimeSpan.FromSeconds(Interlocked.Read(ref _shift) / (double)TimestampFrequency);
    }
}
