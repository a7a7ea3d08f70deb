using System;
using Microsoft.Extensions.Time.Testing;
using NUnit.Framework;
using RedisCaching.Internal.Engine;

namespace RedisCaching.Core.Tests.Cache;

/// <summary>The circuit breaker's counting on a fake clock: a burst of failures is one, failures apart in time add up.</summary>
public class RedisGuardTests
{
    private static readonly TimeSpan Break = TimeSpan.FromSeconds(5);

    [Test]
    public void A_burst_of_failures_counts_once()
    {
        var time = new FakeTimeProvider();
        var guard = new RedisGuard(threshold: 3, Break, time);
        for (var i = 0; i < 16; i++)
        {
            guard.Failure();
            time.Advance(TimeSpan.FromMilliseconds(5));
        }

        Assert.That(guard.State, Is.EqualTo(RedisCircuitState.Closed), "16 failures within 80 ms are one dropped connection");
    }

    [Test]
    public void Failures_a_burst_window_apart_open_it_at_the_threshold()
    {
        var time = new FakeTimeProvider();
        var guard = new RedisGuard(threshold: 3, Break, time);
        guard.Failure();
        time.Advance(RedisGuard.BurstWindow);
        guard.Failure();
        Assert.That(guard.State, Is.EqualTo(RedisCircuitState.Closed));
        time.Advance(RedisGuard.BurstWindow);
        guard.Failure();
        Assert.That(guard.State, Is.EqualTo(RedisCircuitState.Open));
        Assert.That(guard.TryEnter(), Is.False);
    }

    [Test]
    public void A_success_between_failures_starts_the_count_again()
    {
        var time = new FakeTimeProvider();
        var guard = new RedisGuard(threshold: 2, Break, time);
        guard.Failure();
        time.Advance(RedisGuard.BurstWindow);
        guard.Success();
        guard.Failure();
        Assert.That(guard.State, Is.EqualTo(RedisCircuitState.Closed));
    }

    [Test]
    public void A_failed_probe_reopens_even_inside_the_burst_window()
    {
        var time = new FakeTimeProvider();
        var guard = new RedisGuard(threshold: 1, TimeSpan.FromMilliseconds(50), time);
        guard.Failure();
        Assert.That(guard.State, Is.EqualTo(RedisCircuitState.Open));

        // 60 ms after the failure that opened it: half-open, and the probe fails within 100 ms of that failure.
        time.Advance(TimeSpan.FromMilliseconds(60));
        Assert.That(guard.TryEnter(), Is.True, "the probe");
        guard.Failure();
        Assert.That(guard.State, Is.EqualTo(RedisCircuitState.Open));
        Assert.That(guard.TimesOpened, Is.EqualTo(2));
    }
}
