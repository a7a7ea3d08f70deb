using System;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.Logging.Abstractions;
using NUnit.Framework;
using RedisCaching.Internal.Memory;
using RedisCaching.Testing;
using StackExchange.Redis;
using static RedisCaching.Core.Tests.Memory.MemoryTierTestSupport;

namespace RedisCaching.Core.Tests.Memory;

/// <summary>
/// The lease's promise with every thread-pool thread busy: once a ping sent after a change was answered, no read
/// serves the value the change replaced, in tracking mode and over the backplane. With a subscription handler (run
/// through the thread pool's queue) a backplane message could wait there after the ping vouched for it; the inbox,
/// drained by the reads, has it as soon as it was parsed (CoherentMemoryTier.Inbox.cs).
/// </summary>
[NonParallelizable]
public class BusyPoolInvalidationTests
{
    private const int Rounds = 25;

    /// <summary>Work items kept in the pool's global queue: every item queued there (a handler) waits behind them.</summary>
    private const int Spinners = 64;

    [TestCase(CacheCoherenceMode.Tracking)]
    [TestCase(CacheCoherenceMode.Backplane)]
    public async Task A_read_after_the_lease_vouched_for_a_change_never_serves_the_replaced_value(CacheCoherenceMode mode)
    {
        await using var server = await StartServerAsync();
        var connection = ConnectionFor(server, mode);
        var prefix = NewPrefix("busy-pool");
        var options = new MemoryTierOptions { MaxStaleness = TimeSpan.FromMilliseconds(300) };
        await using var tier = new CoherentMemoryTier(connection, options, prefix, NullLogger.Instance);
        await tier.StartAsync(default);
        await WaitForModeAsync(tier, mode);
        await using var writer = await ConnectionMultiplexer.ConnectAsync($"{server.Host}:{server.Port}");
        var channel = options.BackplaneChannel.Replace(MemoryTierOptions.PrefixPlaceholder, prefix, StringComparison.Ordinal);
        var change = mode == CacheCoherenceMode.Tracking
            ? (Action<string, int>)((key, round) => writer.GetDatabase().StringSet(key, round))
            : (key, _) => writer.GetDatabase().Execute("PUBLISH", channel, $"v1|{Guid.NewGuid():N}|{key}");

        var (vouched, served) = RunWithBusyPool(() => ChangeAndRead(tier, prefix + "k", change));

        TestContext.Out.WriteLine($"{mode}: {vouched} of {Rounds} rounds read with the lease held; {served} served the replaced value");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(served, Is.Zero, "a read after a ping that followed the change served the replaced value");
            Assert.That(vouched, Is.GreaterThanOrEqualTo(Rounds / 2), "too few rounds read with the lease held to tell");
        }
    }

    private static RedisConnectionOptions ConnectionFor(IRedisTestServer server, CacheCoherenceMode mode)
    {
        var connection = new RedisConnectionOptions { Host = server.Host, Port = server.Port };
        if (mode == CacheCoherenceMode.Backplane)
        {
            Assert.That(
                server.RunCliAsync("ACL", "SETUSER", "notrack", "on", ">notrack-pw", "~*", "&*", "+@all", "-client|tracking").GetAwaiter().GetResult(),
                Is.EqualTo("OK"));
            (connection.User, connection.Password) = ("notrack", "notrack-pw");
        }

        return connection;
    }

    /// <summary>
    /// Rounds of: fill, read until the lease holds, change the key from another connection, wait for the answer to a
    /// ping sent after the change returned, read. Runs on a thread of its own, blocking, so it never waits for the pool.
    /// </summary>
    private static (int Vouched, int Served) ChangeAndRead(CoherentMemoryTier tier, string key, Action<string, int> change)
    {
        var (vouched, served) = (0, 0);
        var deadline = System.Diagnostics.Stopwatch.StartNew();
        for (var round = 0; round < Rounds && deadline.Elapsed < TimeSpan.FromSeconds(60); round++)
        {
            Fill(tier, key, "old");
            if (!SpinUntil(() => Holds(tier, key)))
            {
                continue;
            }

            change(key, round);
            var sentBefore = tier.LeasePingsSent;
            if (!SpinUntil(() => tier.LeasePings > sentBefore))
            {
                continue;
            }

            served += Holds(tier, key) ? 1 : 0;
            vouched += tier.IsLeaseHeld ? 1 : 0;
        }

        return (vouched, served);
    }

    private static bool SpinUntil(Func<bool> condition) => SpinWait.SpinUntil(condition, TimeSpan.FromSeconds(5));

    /// <summary>Runs <paramref name="body"/> on its own thread while work items that re-queue themselves keep the pool's queue full.</summary>
    private static T RunWithBusyPool<T>(Func<T> body)
    {
        var stop = 0;
        void Spin(object? _)
        {
            Thread.SpinWait(20_000);
            if (Volatile.Read(ref stop) == 0)
            {
                ThreadPool.UnsafeQueueUserWorkItem<object?>(Spin, null, preferLocal: false);
            }
        }

        for (var i = 0; i < Spinners; i++)
        {
            ThreadPool.UnsafeQueueUserWorkItem<object?>(Spin, null, preferLocal: false);
        }

        T result = default!;
        Exception? failure = null;
        var thread = new Thread(() =>
        {
            try
            {
                result = body();
            }
            catch (Exception ex)
            {
                failure = ex;
            }
        })
        { IsBackground = true, Name = "busy-pool reader" };
        try
        {
            thread.Start();
            thread.Join();
        }
        finally
        {
            Volatile.Write(ref stop, 1);
        }

        return failure is null ? result : throw new AssertionException("the reader thread failed", failure);
    }
}
