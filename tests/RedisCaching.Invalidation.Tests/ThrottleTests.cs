using System;
using System.Threading;
using NUnit.Framework;
using RedisCaching.Invalidation.Internal;

namespace RedisCaching.Invalidation.Tests;

/// <summary>The throttle's rules on a clock the test moves (no server).</summary>
public class ThrottleTests
{
    [Test]
    public void A_slow_batch_halves_the_batch_and_waits_as_long_as_it_took_then_fast_batches_grow_it_back()
    {
        var throttle = new InvalidationThrottle(new PatternInvalidationOptions { ScanCount = 1000, MinScanCount = 100, LatencyBudget = TimeSpan.FromMilliseconds(5) }, new ManualClock());
        using (Assert.EnterMultipleScope())
        {
            Assert.That(throttle.OnBatch(TimeSpan.FromMilliseconds(12)), Is.True);
            Assert.That(throttle.ScanCount, Is.EqualTo(500));
            Assert.That(throttle.NextDelay(), Is.EqualTo(TimeSpan.FromMilliseconds(12)));
        }

        throttle.OnBatch(TimeSpan.FromMilliseconds(20));
        throttle.OnBatch(TimeSpan.FromMilliseconds(20));
        throttle.OnBatch(TimeSpan.FromMilliseconds(20));
        Assert.That(throttle.ScanCount, Is.EqualTo(100), "never below MinScanCount");

        // Within budget but not under half of it: COUNT stays, no wait.
        Assert.That(throttle.OnBatch(TimeSpan.FromMilliseconds(4)), Is.False);
        Assert.That((throttle.ScanCount, throttle.NextDelay()), Is.EqualTo((100, TimeSpan.Zero)));
        throttle.OnBatch(TimeSpan.FromMilliseconds(1));
        Assert.That(throttle.ScanCount, Is.EqualTo(200));
        for (var i = 0; i < 10; i++)
        {
            throttle.OnBatch(TimeSpan.FromMilliseconds(1));
        }

        Assert.That(throttle.ScanCount, Is.EqualTo(1000), "never above ScanCount");
    }

    [Test]
    public void A_zero_budget_turns_the_adaptive_part_off()
    {
        var throttle = new InvalidationThrottle(new PatternInvalidationOptions { LatencyBudget = TimeSpan.Zero }, new ManualClock());
        Assert.That(throttle.OnBatch(TimeSpan.FromSeconds(1)), Is.False);
        Assert.That((throttle.ScanCount, throttle.NextDelay()), Is.EqualTo((1000, TimeSpan.Zero)));
    }

    [Test]
    public void The_rate_cap_spaces_batches_by_count_over_rate_and_the_pause_applies_after_the_first()
    {
        var clock = new ManualClock();
        var throttle = new InvalidationThrottle(new PatternInvalidationOptions { ScanCount = 500, MaxScannedKeysPerSecond = 10_000, PauseBetweenBatches = TimeSpan.FromMilliseconds(10) }, clock);
        Assert.That(throttle.NextDelay(), Is.EqualTo(TimeSpan.Zero), "the first batch starts at once");
        throttle.WaitAsync(CancellationToken.None).AsTask().GetAwaiter().GetResult();

        // 500 keys at 10,000 keys/s: the next batch 50 ms after this one; the 10 ms pause is shorter.
        Assert.That(throttle.NextDelay(), Is.EqualTo(TimeSpan.FromMilliseconds(50)));
        clock.Advance(TimeSpan.FromMilliseconds(45));
        Assert.That(throttle.NextDelay(), Is.EqualTo(TimeSpan.FromMilliseconds(10)), "the pause is now the longer wait");
    }

    private sealed class ManualClock : TimeProvider
    {
        private long _ticks = 1_000_000;

        public override long TimestampFrequency => TimeSpan.TicksPerSecond;

        public override long GetTimestamp() => _ticks;

        public void Advance(TimeSpan by) => _ticks += by.Ticks;
    }
}
