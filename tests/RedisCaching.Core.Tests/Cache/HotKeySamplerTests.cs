using System;
using System.Linq;
using NUnit.Framework;
using RedisCaching.Internal.Engine;

namespace RedisCaching.Core.Tests.Cache;

/// <summary>The read sampler behind <see cref="ICacheHotKeys"/> on its own: rate, bound, ranking, no aliasing, no allocation.</summary>
public class HotKeySamplerTests
{
    [Test]
    public void A_loop_over_sixteen_keys_samples_every_one_of_them_and_ranks_by_reads()
    {
        var sampler = new HotKeySampler();
        var keys = Enumerable.Range(0, 16).Select(i => "k" + i).ToArray();
        for (var round = 0; round < 2000; round++)
        {
            foreach (var key in keys)
            {
                sampler.Read(key);
            }

            // k0 read a second time in every round: twice as hot as the others.
            sampler.Read(keys[0]);
        }

        var top = sampler.Top(16);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(top, Is.EquivalentTo(keys), "a fixed period would have sampled one key only");
            Assert.That(top[0], Is.EqualTo("k0"));
        }
    }

    [Test]
    public void Reads_are_sampled_about_one_in_sixteen_into_a_bounded_ring_without_allocating()
    {
        var sampler = new HotKeySampler();
        sampler.Read("warm-up");
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 16_000; i++)
        {
            sampler.Read("a");
        }

        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        var samples = sampler.Samples("a");
        for (var i = 0; i < 200_000; i++)
        {
            sampler.Read("b");
        }

        using (Assert.EnterMultipleScope())
        {
            Assert.That(allocated, Is.Zero);
            Assert.That(samples, Is.InRange(800, 1200), "about 1,000 of 16,000 reads");
            Assert.That(sampler.Top(5), Is.EqualTo(new[] { "b" }), "the ring keeps the latest samples only");
        }
    }

    [Test]
    public void Memory_hits_sampled_from_their_counter_cover_a_loop_over_sixteen_keys_at_about_one_in_sixteen()
    {
        var sampler = new HotKeySampler();
        var keys = Enumerable.Range(0, 16).Select(i => "k" + i).ToArray();

        // The hit counter's stripe as one thread on one core sees it: 1, 2, 3, ...; 16 reads per round, so a fixed
        // period of 16 would sample one key of the loop only.
        long hitNumber = 0;
        for (var round = 0; round < 2000; round++)
        {
            foreach (var key in keys)
            {
                sampler.Read(key, ++hitNumber);
            }
        }

        var sampled = sampler.Top(16);
        var fresh = new HotKeySampler();
        for (var n = 1; n <= 16_000; n++)
        {
            fresh.Read("a", n);
        }

        using (Assert.EnterMultipleScope())
        {
            Assert.That(sampled, Is.EquivalentTo(keys));
            Assert.That(fresh.Samples("a"), Is.InRange(800, 1200), "about 1,000 of 16,000 hits");
        }
    }

    [TestCase(233)]
    [TestCase(610)]
    [TestCase(987)]
    public void Memory_hits_sampled_from_their_counter_do_not_skew_a_uniform_loop(int keyCount)
    {
        // Fibonacci-sized round-robins: a Fibonacci hash of the counter alone sampled 140, 86 and 91 of these keys.
        var sampler = new HotKeySampler();
        var keys = Enumerable.Range(0, keyCount).Select(i => "k" + i).ToArray();
        long hitNumber = 0;
        for (var round = 0; round < 200; round++)
        {
            foreach (var key in keys)
            {
                sampler.Read(key, ++hitNumber);
            }
        }

        var counts = keys.Select(sampler.Samples).ToArray();
        var mean = (double)counts.Sum() / keyCount;
        using (Assert.EnterMultipleScope())
        {
            Assert.That(counts.Count(c => c > 0), Is.GreaterThanOrEqualTo(keyCount * 95 / 100), "keys sampled at least once");
            Assert.That(counts.Max(), Is.LessThanOrEqualTo(4 * mean), "no key looks several times hotter than the others");
        }
    }
}
