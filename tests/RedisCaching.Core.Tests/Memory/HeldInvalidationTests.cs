using System;
using System.Diagnostics;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.Logging.Abstractions;
using NUnit.Framework;
using RedisCaching.Internal.Memory;
using StackExchange.Redis;
using static RedisCaching.Core.Tests.Memory.MemoryTierTestSupport;

namespace RedisCaching.Core.Tests.Memory;

/// <summary>
/// A drainer that took an invalidation from the queue and has not applied it yet (preempted, or slow) leaves the
/// queue looking empty to everyone else; the lease must not vouch for a memory copy meanwhile. Each drainer marks itself
/// before its first dequeue (CoherentMemoryTier.Inbox.cs). Marked after the dequeue, a drainer held right after taking
/// the message let the ping replies extend the lease, and reads served the replaced value for as long as it was held.
/// </summary>
[NonParallelizable]
public class HeldInvalidationTests
{
    private static readonly TimeSpan MaxStaleness = TimeSpan.FromMilliseconds(200);

    /// <summary>How long the drainer is held once the lease could have lapsed (pings are answered meanwhile).</summary>
    private static readonly TimeSpan Held = TimeSpan.FromMilliseconds(600);

    [Test]
    public async Task While_a_drainer_holds_an_invalidation_the_lease_does_not_vouch_for_the_key_it_invalidates()
    {
        await using var server = await StartServerAsync();
        var prefix = NewPrefix("held");
        var options = new MemoryTierOptions { MaxStaleness = MaxStaleness };
        await using var tier = new CoherentMemoryTier(new RedisConnectionOptions { Host = server.Host, Port = server.Port }, options, prefix, NullLogger.Instance);
        await tier.StartAsync(default);
        await WaitForModeAsync(tier, CacheCoherenceMode.Tracking);
        await using var writer = await ConnectionMultiplexer.ConnectAsync($"{server.Host}:{server.Port}");

        var key = prefix + "k";
        using var taken = new ManualResetEventSlim();
        using var release = new ManualResetEventSlim();
        var drainerId = -1;
        tier.InvalidationTakenForTests = () =>
        {
            if (Environment.CurrentManagedThreadId == Volatile.Read(ref drainerId) && !taken.IsSet)
            {
                taken.Set();
                release.Wait(TimeSpan.FromSeconds(10));
            }
        };

        // The drainer reads in a tight loop, so it takes the invalidation before the lease's thread or a ping reply
        // does (they drain every few tens of ms); a round where another thread took it first is tried again.
        var rounds = 0;
        while (!taken.IsSet && rounds++ < 10)
        {
            await writer.GetDatabase().StringSetAsync(key, "old");
            Fill(tier, key, "old");
            Assert.That(await WaitUntilAsync(() => Holds(tier, key)), Is.Not.Null, "the lease never held");
            var stop = 0;
            var drainer = new Thread(() =>
            {
                Volatile.Write(ref drainerId, Environment.CurrentManagedThreadId);
                while (Volatile.Read(ref stop) == 0 && !taken.IsSet)
                {
                    tier.TryGet(key, out _);
                }
            })
            { IsBackground = true, Name = "held drainer" };
            drainer.Start();
            SpinWait.SpinUntil(() => Volatile.Read(ref drainerId) == drainer.ManagedThreadId, TimeSpan.FromSeconds(5));
            await writer.GetDatabase().StringSetAsync(key, "new");
            taken.Wait(TimeSpan.FromSeconds(2));
            Volatile.Write(ref stop, 1);
            if (!taken.IsSet)
            {
                drainer.Join();
            }
        }

        Assume.That(taken.IsSet, "another drainer took the invalidation first in every round");
        var heldSince = Stopwatch.StartNew();
        var pingsSent = tier.LeasePingsSent;
        var (reads, served) = (0, 0);
        while (heldSince.Elapsed < MaxStaleness + Held)
        {
            // Reads keep the pings going (an idle tier stops them); those after the bound must all be refused.
            var hit = Holds(tier, key);
            if (heldSince.Elapsed > MaxStaleness + TimeSpan.FromMilliseconds(50))
            {
                reads++;
                served += hit ? 1 : 0;
            }

            await Task.Delay(10);
        }

        var pingsWhileHeld = tier.LeasePingsSent - pingsSent;
        release.Set();

        // Once applied, the next replies extend the lease again: the pings were answered all along.
        var leaseBack = await WaitUntilAsync(
            () =>
            {
                tier.TryGet(prefix + "other", out _);
                return tier.IsLeaseHeld;
            },
            TimeSpan.FromSeconds(5));
        TestContext.Out.WriteLine(
            $"{rounds} round(s); {reads} reads while the invalidation was held past the bound, {served} served from memory; " +
            $"{pingsWhileHeld} pings sent meanwhile; the lease back {leaseBack?.TotalMilliseconds:0} ms after the release");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(served, Is.Zero, "a read served the key whose invalidation a drainer held, past the bound");
            Assert.That(reads, Is.GreaterThan(10), "too few reads past the bound to tell");
            Assert.That(pingsWhileHeld, Is.GreaterThanOrEqualTo(3), "the pings stopped while the drainer was held");
            Assert.That(leaseBack, Is.Not.Null, "the lease did not come back after the release");
            Assert.That(Holds(tier, key), Is.False, "the invalidation was not applied after the release");
        }
    }
}
