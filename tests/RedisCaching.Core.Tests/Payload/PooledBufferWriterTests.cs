using System;
using NUnit.Framework;
using RedisCaching.Internal.Envelope;

namespace RedisCaching.Core.Tests.Payload;

/// <summary>The pooled writer every entry is built in, and its growth limit (what bounds a decompression's buffer).</summary>
public class PooledBufferWriterTests
{
    [Test]
    public void Without_a_limit_it_grows_by_doubling()
    {
        using var writer = new PooledBufferWriter(256);
        writer.Advance(writer.GetSpan(256).Length);
        writer.GetSpan(1);
        Assert.That(writer.Capacity, Is.GreaterThanOrEqualTo(512));
    }

    [TestCase(1000)]
    [TestCase(1024)]
    [TestCase(1_000_000)]
    public void With_a_limit_it_never_grows_past_it_on_its_own(int limit)
    {
        using var writer = new PooledBufferWriter(16, growthLimit: limit);
        var written = 0;
        while (written < limit)
        {
            var span = writer.GetSpan(Math.Min(100, limit - written));
            var count = Math.Min(span.Length, limit - written);
            span[..count].Fill(7);
            writer.Advance(count);
            written += count;
            Assert.That(writer.Capacity, Is.LessThanOrEqualTo(limit), $"after {written} B");
        }

        Assert.That(writer.WrittenCount, Is.EqualTo(limit));
    }

    [Test]
    public void A_single_request_beyond_the_limit_is_still_served()
    {
        using var writer = new PooledBufferWriter(16, growthLimit: 100);
        Assert.That(writer.GetSpan(500).Length, Is.GreaterThanOrEqualTo(500));
    }

    [Test]
    public void An_exact_array_taken_near_the_limit_is_not_returned_to_the_pool()
    {
        // 1,000,001 rounds up to 2 MiB in the pool: the writer takes an exact array, which the pool would refuse back
        // (ArgumentException); disposing it must simply drop it, and detaching it (which hands the array to a caller
        // who returns it to the pool) is refused.
        var writer = new PooledBufferWriter(16, growthLimit: 1_000_001);
        writer.GetSpan(1_000_001);
        writer.Advance(1_000_001);
        Assert.That(writer.Capacity, Is.EqualTo(1_000_001));
        Assert.Throws<InvalidOperationException>(() => writer.Detach(out _, out _));
        Assert.DoesNotThrow(writer.Dispose);
    }

    [Test]
    public void Clear_forgets_what_was_written_and_keeps_the_memory()
    {
        using var writer = new PooledBufferWriter();
        writer.Advance(10);
        var capacity = writer.Capacity;
        writer.Clear();
        Assert.That((writer.WrittenCount, writer.Capacity), Is.EqualTo((0, capacity)));
    }
}
