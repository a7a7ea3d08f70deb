using System;
using System.Diagnostics;
using System.Linq;
using System.Threading.Tasks;
using NUnit.Framework;
using StackExchange.Redis;

namespace RedisCaching.Testing.Tests;

/// <summary>Each test fails a topology over, so each starts its own.</summary>
[Category("HaTopology")]
public sealed class SentinelFailoverTests
{
    private static readonly TimeSpan WritesAgainWithin = TimeSpan.FromSeconds(10);

    [Test]
    public async Task Sentinel_failover_moves_the_primary_and_the_client_writes_to_the_new_one_within_10_s_of_the_old_ones_demotion()
    {
        await using var sentinel = await TestFactories.Process.StartSentinelAsync();
        await using var redis = await ConnectionMultiplexer.ConnectAsync(Connect.Fast(sentinel.CreateConfigurationOptions()));
        Assert.That(await redis.GetDatabase().PingAsync(), Is.GreaterThan(TimeSpan.Zero));

        var failover = await sentinel.FailoverAsync();
        TestContext.Progress.WriteLine($"[topology timings] SENTINEL FAILOVER: new primary confirmed after {failover.Pause.TotalSeconds:0.00} s");

        using (Assert.EnterMultipleScope())
        {
            Assert.That(failover.OldPrimary, Is.SameAs(sentinel.DataNodes[0]));
            Assert.That(failover.NewPrimary, Is.SameAs(sentinel.DataNodes[1]));
            Assert.That(await sentinel.GetPrimaryAsync(), Is.SameAs(failover.NewPrimary));
        }

        // The old primary is not told at once: it keeps its role (and acknowledges writes, which it will drop when it
        // resyncs) until a sentinel's next INFO to it, up to 10 s later, makes it a replica of the new one. A client
        // whose connection to it stays open, like StackExchange.Redis 3.4.35's, keeps writing there until then.
        var clock = Stopwatch.StartNew();
        await sentinel.WaitUntilReadyAsync();
        TestContext.Progress.WriteLine($"[topology timings] SENTINEL FAILOVER: old primary demoted {clock.Elapsed.TotalSeconds:0.00} s after the switch was confirmed");

        await AssertWritesReachAsync(redis, failover.NewPrimary, "after SENTINEL FAILOVER and the old primary's demotion");
    }

    [Test]
    public async Task Killing_the_primary_promotes_the_replica_and_the_client_writes_to_it_within_10_s()
    {
        int[] pids;
        await using (var sentinel = await TestFactories.Process.StartSentinelAsync(new RedisSentinelOptions { RequireDataPassword = true }))
        {
            pids = [.. sentinel.DataNodes.Concat(sentinel.Sentinels).Select(n => n.ProcessId!.Value)];
            await using var redis = await ConnectionMultiplexer.ConnectAsync(Connect.Fast(sentinel.CreateConfigurationOptions()));
            Assert.That(await redis.GetDatabase().PingAsync(), Is.GreaterThan(TimeSpan.Zero));

            var failover = await sentinel.KillPrimaryAsync();
            TestContext.Progress.WriteLine($"[topology timings] Sentinel SIGKILL of the primary: new primary confirmed after {failover.Pause.TotalSeconds:0.00} s");

            using (Assert.EnterMultipleScope())
            {
                Assert.That(failover.OldPrimary.IsRunning, Is.False);
                Assert.That(failover.NewPrimary, Is.SameAs(sentinel.DataNodes[1]));
            }

            await AssertWritesReachAsync(redis, failover.NewPrimary, "after SIGKILL of the primary");

            // Restarted, the old primary rejoins as a replica of the new one.
            await failover.OldPrimary.RestartAsync();
            await sentinel.WaitUntilReadyAsync();
        }

        Assert.That(RedisProcessRegistry.RunningProcessIds.Intersect(pids), Is.Empty, "processes left after dispose");
    }

    private static void Remember(System.Collections.Generic.List<string> seen, Stopwatch clock, string what)
    {
        var line = what.Length > 200 ? what[..200] : what;
        if (seen.Count == 0 || !seen[^1].EndsWith(line, StringComparison.Ordinal))
        {
            seen.Add($"{clock.Elapsed.TotalSeconds:0.00} s: {line}");
        }
    }

    /// <summary>The client finds the new primary by itself: its write is read back from that node directly.</summary>
    private static async Task AssertWritesReachAsync(ConnectionMultiplexer redis, IRedisTestNode primary, string when)
    {
        var db = redis.GetDatabase();
        var key = RedisTestKeys.NewPrefix() + "k";
        var clock = Stopwatch.StartNew();
        var attempt = 0;
        var seen = new System.Collections.Generic.List<string>();
        var written = await Connect.EventuallyAsync(async () =>
        {
            var value = "attempt " + ++attempt;
            try
            {
                await db.StringSetAsync(key, value);
            }
            catch (Exception ex) when (ex is RedisException or TimeoutException)
            {
                Remember(seen, clock, ex.GetType().Name + ": " + ex.Message);
                throw;
            }

            var landed = await primary.RunCliAsync("GET", key) == value;
            Remember(seen, clock, landed ? "written to the new primary" : "acknowledged, but not by the new primary");
            return landed;
        }, WritesAgainWithin);
        TestContext.Progress.WriteLine($"[topology timings] client write reached the new primary {when} after {clock.Elapsed.TotalSeconds:0.00} s");
        Assert.That(written, Is.True, $"the client did not write to the new primary within {WritesAgainWithin.TotalSeconds} s {when}; it saw:{Environment.NewLine}{string.Join(Environment.NewLine, seen)}");
    }
}
