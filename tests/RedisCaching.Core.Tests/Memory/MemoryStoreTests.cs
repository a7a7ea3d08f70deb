using System;
using NUnit.Framework;
using RedisCaching.Internal.Engine;
using RedisCaching.Internal.Memory;

namespace RedisCaching.Core.Tests.Memory;

/// <summary>The bounded store on its own: bounds, CLOCK eviction, expiry, allocation-free hits, version stripes.</summary>
public class MemoryStoreTests
{
    private static readonly DateTimeOffset Now = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private static MemoryEntry Entry(long size = 10) => new("v", size, Now.AddHours(1), Now.AddHours(1));

    [Test]
    public void Entry_bound_evicts_down_to_the_limit()
    {
        var store = new MemoryStore(100, long.MaxValue, new ClockEvictionPolicy());
        for (var i = 0; i < 250; i++)
        {
            store.Set("k" + i, Entry(), Now.AddHours(1));
        }

        using (Assert.EnterMultipleScope())
        {
            Assert.That(store.Count, Is.EqualTo(100));
            Assert.That(store.Evictions, Is.EqualTo(150));
            Assert.That(store.Bytes, Is.EqualTo(1000));
        }
    }

    [Test]
    public void Byte_bound_evicts_and_refuses_entries_larger_than_the_bound()
    {
        var store = new MemoryStore(int.MaxValue, 1000, new ClockEvictionPolicy());
        for (var i = 0; i < 30; i++)
        {
            store.Set("k" + i, Entry(100), Now.AddHours(1));
        }

        using (Assert.EnterMultipleScope())
        {
            Assert.That(store.Bytes, Is.LessThanOrEqualTo(1000));
            Assert.That(store.Count, Is.EqualTo(10));
            Assert.That(store.Set("huge", Entry(1001), Now.AddHours(1)), Is.Null);
            Assert.That(store.TryGet("huge", (Now).ToUnixTimeMilliseconds(), out _), Is.False);
        }
    }

    [Test]
    public void Replacing_a_key_keeps_counts_right_and_the_ring_bounded()
    {
        var store = new MemoryStore(10, long.MaxValue, new ClockEvictionPolicy());
        for (var i = 0; i < 100_000; i++)
        {
            store.Set("same", Entry(7), Now.AddHours(1));
        }

        using (Assert.EnterMultipleScope())
        {
            Assert.That(store.Count, Is.EqualTo(1));
            Assert.That(store.Bytes, Is.EqualTo(7));
            Assert.That(store.Evictions, Is.Zero);
        }
    }

    [Test]
    public void Clock_keeps_hot_keys_under_a_scan()
    {
        var store = new MemoryStore(100, long.MaxValue, new ClockEvictionPolicy());
        for (var i = 0; i < 100; i++)
        {
            store.Set("k" + i, Entry(), Now.AddHours(1));
        }

        // Ten hot keys read between every insert of a one-off scan twice the capacity.
        for (var i = 0; i < 200; i++)
        {
            for (var hot = 0; hot < 10; hot++)
            {
                store.TryGet("k" + hot, (Now).ToUnixTimeMilliseconds(), out _);
            }

            store.Set("scan" + i, Entry(), Now.AddHours(1));
        }

        for (var hot = 0; hot < 10; hot++)
        {
            Assert.That(store.TryGet("k" + hot, (Now).ToUnixTimeMilliseconds(), out _), Is.True, $"hot key k{hot} was evicted");
        }
    }

    [Test]
    public void Expired_entries_are_never_returned_and_are_dropped()
    {
        var store = new MemoryStore(100, long.MaxValue, new ClockEvictionPolicy());
        store.Set("k", Entry(), Now.AddSeconds(1));
        using (Assert.EnterMultipleScope())
        {
            Assert.That(store.TryGet("k", (Now).ToUnixTimeMilliseconds(), out _), Is.True);
            Assert.That(store.TryGet("k", (Now.AddSeconds(1)).ToUnixTimeMilliseconds(), out _), Is.False);

            // Dropped only once it is past expiry by more than the hit clock's lead: a reader whose clock runs
            // ahead (the engine's hit path) must not drop an entry that has not expired yet.
            Assert.That(store.Count, Is.EqualTo(1));
            Assert.That(store.TryGet("k", (Now.AddSeconds(1).AddMilliseconds(HitClock.MaxLeadMs)).ToUnixTimeMilliseconds(), out _), Is.False);
            Assert.That(store.Count, Is.Zero);
        }
    }

    [Test]
    public void A_hit_allocates_nothing()
    {
        var store = new MemoryStore(100, long.MaxValue, new ClockEvictionPolicy());
        store.Set("k", Entry(), Now.AddHours(1));
        store.TryGet("k", (Now).ToUnixTimeMilliseconds(), out _);
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 100_000; i++)
        {
            store.TryGet("k", (Now).ToUnixTimeMilliseconds(), out _);
        }

        Assert.That(GC.GetAllocatedBytesForCurrentThread() - before, Is.Zero);
    }

    [Test]
    public void Version_stripes_see_only_later_invalidations()
    {
        var versions = new InvalidationVersions();
        versions.Bump("a");
        var ticket = versions.Current;
        using (Assert.EnterMultipleScope())
        {
            Assert.That(versions.ChangedSince("a", ticket), Is.False);
            versions.Bump("a");
            Assert.That(versions.ChangedSince("a", ticket), Is.True);
        }
    }
}
