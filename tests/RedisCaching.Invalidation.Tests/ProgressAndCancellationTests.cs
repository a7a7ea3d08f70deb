using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Diagnostics;
using System.Threading;
using System.Threading.Tasks;
using NUnit.Framework;

namespace RedisCaching.Invalidation.Tests;

/// <summary>Long runs: progress reports, cancellation (what was removed stays removed and is counted), throttling.</summary>
public class ProgressAndCancellationTests : ServerFixture
{
    [Test]
    public async Task Progress_grows_and_the_last_report_is_the_result()
    {
        var prefix = Waits.NewPrefix();
        await using var app = await CacheInstance.StartAsync(Server, prefix);
        await FillAsync(prefix, "p", 5000);
        await FillAsync(prefix, "other", 5000);
        var reports = new ConcurrentQueue<PatternInvalidationProgress>();

        var removed = await app.Invalidator.InvalidateByPatternAsync(
            "p:*",
            new PatternInvalidationOptions { ScanCount = 200, ProgressInterval = TimeSpan.Zero },
            new SynchronousProgress<PatternInvalidationProgress>(reports.Enqueue));

        var list = new List<PatternInvalidationProgress>(reports);
        var last = list[^1];
        using (Assert.EnterMultipleScope())
        {
            Assert.That(removed, Is.EqualTo(5000));
            Assert.That(list, Has.Count.GreaterThan(10), "a report per batch with ProgressInterval = 0");
            Assert.That(list.FindAll(p => p.Completed), Has.Count.EqualTo(1));
            Assert.That(last.Completed, Is.True);
            Assert.That(last.KeysRemoved, Is.EqualTo(removed));
            Assert.That(last.KeysMatched, Is.GreaterThanOrEqualTo(5000));
            Assert.That((last.ServersDone, last.Servers), Is.EqualTo((1, 1)));
            Assert.That(list, Is.Ordered.By(nameof(PatternInvalidationProgress.KeysRemoved)));
            Assert.That(await CountAsync(prefix + ":p:*"), Is.Zero);
            Assert.That(await CountAsync(prefix + ":other:*"), Is.EqualTo(5000));
        }
    }

    [Test]
    public async Task Cancellation_stops_between_batches_and_what_was_removed_is_reported()
    {
        var prefix = Waits.NewPrefix();
        await using var app = await CacheInstance.StartAsync(Server, prefix);
        await FillAsync(prefix, "c", 20_000);
        using var cancel = new CancellationTokenSource();
        var reports = new ConcurrentQueue<PatternInvalidationProgress>();
        var progress = new SynchronousProgress<PatternInvalidationProgress>(p =>
        {
            reports.Enqueue(p);
            if (p.KeysRemoved >= 2000)
            {
                cancel.Cancel();
            }
        });

        Assert.That(
            () => app.Invalidator.InvalidateByPatternAsync("c:*", new PatternInvalidationOptions { ScanCount = 500, ProgressInterval = TimeSpan.Zero }, progress, cancel.Token),
            Throws.InstanceOf<OperationCanceledException>());

        var last = new List<PatternInvalidationProgress>(reports)[^1];
        var left = await CountAsync(prefix + ":c:*");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(last.Completed, Is.False);
            Assert.That(last.KeysRemoved, Is.GreaterThanOrEqualTo(2000).And.LessThan(20_000));
            Assert.That(left, Is.EqualTo(20_000 - last.KeysRemoved), "the last report counts exactly what was removed");
        }

        // Running it again removes the rest.
        Assert.That(await app.Invalidator.InvalidateByPatternAsync("c:*"), Is.EqualTo(left));
        Assert.That(await CountAsync(prefix + ":c:*"), Is.Zero);
    }

    [Test]
    public async Task A_token_cancelled_before_the_call_removes_nothing()
    {
        var prefix = Waits.NewPrefix();
        await using var app = await CacheInstance.StartAsync(Server, prefix);
        await FillAsync(prefix, "k", 100);
        Assert.That(() => app.Invalidator.InvalidateByPatternAsync("k:*", cancellationToken: new CancellationToken(canceled: true)), Throws.InstanceOf<OperationCanceledException>());
        Assert.That(await CountAsync(prefix + ":k:*"), Is.EqualTo(100));
    }

    [Test]
    public async Task The_rate_cap_bounds_the_keys_examined_per_second()
    {
        var prefix = Waits.NewPrefix();
        await using var app = await CacheInstance.StartAsync(Server, prefix);
        await FillAsync(prefix, "r", 3000);
        var scanned = await CountAsync("*");
        PatternInvalidationProgress? last = null;
        var stopwatch = Stopwatch.StartNew();

        var removed = await app.Invalidator.InvalidateByPatternAsync(
            "r:*",
            new PatternInvalidationOptions { ScanCount = 500, MaxScannedKeysPerSecond = 5000, LatencyBudget = TimeSpan.Zero },
            new SynchronousProgress<PatternInvalidationProgress>(p => last = p));

        // Batches of COUNT 500 at 5,000 keys/s: one every 100 ms after the first.
        var expected = TimeSpan.FromSeconds((last!.Batches - 1) * 500 / 5000.0);
        TestContext.Out.WriteLine($"{removed} removed of {scanned} keys in {last.Batches} batches, {stopwatch.ElapsedMilliseconds} ms, {last.Throttled.TotalMilliseconds:F0} ms throttled (at least {expected.TotalMilliseconds:F0} ms expected)");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(removed, Is.EqualTo(3000));
            Assert.That(stopwatch.Elapsed, Is.GreaterThanOrEqualTo(expected * 0.9));
            Assert.That(last.Throttled, Is.GreaterThan(TimeSpan.Zero));
        }
    }

    [Test]
    public async Task A_pause_between_batches_is_kept()
    {
        var prefix = Waits.NewPrefix();
        await using var app = await CacheInstance.StartAsync(Server, prefix);
        await FillAsync(prefix, "q", 1000);
        PatternInvalidationProgress? last = null;

        await app.Invalidator.InvalidateByPatternAsync(
            "q:*",
            new PatternInvalidationOptions { ScanCount = 100, PauseBetweenBatches = TimeSpan.FromMilliseconds(20), LatencyBudget = TimeSpan.Zero },
            new SynchronousProgress<PatternInvalidationProgress>(p => last = p));

        Assert.That(last!.Throttled, Is.GreaterThanOrEqualTo(TimeSpan.FromMilliseconds(20 * (last.Batches - 1))));
    }

    /// <summary>Reports on the caller's thread, in order (Progress&lt;T&gt; posts to the thread pool, so reports could arrive out of order or late).</summary>
    private sealed class SynchronousProgress<T>(Action<T> report) : IProgress<T>
    {
        public void Report(T value) => report(value);
    }
}
