using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Runtime.CompilerServices;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.DependencyInjection;
using NUnit.Framework;

namespace RedisCaching.Invalidation.Tests;

/// <summary>Warming: keys from a list or a query, loaded with a concurrency limit, progress, and a report of what failed; Redis and a second instance hold the result.</summary>
public class WarmingTests : ServerFixture
{
    private static readonly string[] Keys = [.. Enumerable.Range(0, 100).Select(i => $"item:{i}")];

    [Test]
    public async Task A_list_is_loaded_within_the_concurrency_limit_and_a_failing_key_is_reported_not_fatal()
    {
        var prefix = Waits.NewPrefix();
        await using var first = await CacheInstance.StartAsync(Server, prefix);
        await using var second = await CacheInstance.StartAsync(Server, prefix);
        int running = 0, mostAtOnce = 0;
        var reports = new ConcurrentQueue<CacheWarmingProgress>();

        var report = await Warmer(first).WarmAsync(
            Keys.ToAsyncEnumerable(),
            async (key, ct) =>
            {
                var now = Interlocked.Increment(ref running);
                InterlockedMax(ref mostAtOnce, now);
                await Task.Delay(5, ct);
                Interlocked.Decrement(ref running);
                return key == "item:13" ? throw new InvalidOperationException("row gone") : "v" + key;
            },
            new CacheWarmingOptions { MaxConcurrency = 3, ProgressInterval = TimeSpan.Zero },
            new SynchronousProgress(reports));

        using (Assert.EnterMultipleScope())
        {
            Assert.That((report.Loaded, report.Skipped), Is.EqualTo((Keys.Length - 1, 0)));
            Assert.That(report.Failures.Select(f => (f.Key, f.Error.Message)), Is.EqualTo(new[] { ("item:13", "row gone") }));
            Assert.That(mostAtOnce, Is.InRange(2, 3), "loads overlapped, never more than the limit");
            Assert.That(reports.Last(), Is.EqualTo(reports.Last() with { Loaded = Keys.Length - 1, Failed = 1, Completed = true }));
            Assert.That(reports.Count(r => r.Completed), Is.EqualTo(1));
            Assert.That(await RedisKeysAsync(prefix + ":item:*"), Has.Count.EqualTo(Keys.Length - 1), "Redis holds every loaded key");
            Assert.That((await second.Cache.TryGetAsync<string>("item:42")).Value, Is.EqualTo("vitem:42"), "the second instance reads what was warmed");
        }
    }

    [Test]
    public async Task A_second_instance_warming_the_same_query_loads_only_what_is_missing()
    {
        var prefix = Waits.NewPrefix();
        await using var first = await CacheInstance.StartAsync(Server, prefix);
        await using var second = await CacheInstance.StartAsync(Server, prefix);
        await Warmer(first).WarmAsync(Query(Keys.Take(50)), (key, _) => ValueTask.FromResult("v" + key));

        var loads = 0;
        var report = await Warmer(second).WarmAsync(Query(Keys), (key, _) => { Interlocked.Increment(ref loads); return ValueTask.FromResult("w" + key); });

        using (Assert.EnterMultipleScope())
        {
            Assert.That((report.Loaded, report.Skipped, loads), Is.EqualTo((50, 50, 50)));
            Assert.That((await second.Cache.TryGetAsync<string>("item:0")).Value, Is.EqualTo("vitem:0"), "not overwritten");
            Assert.That(await RedisKeysAsync(prefix + ":item:*"), Has.Count.EqualTo(Keys.Length));
        }

        var again = await Warmer(second).WarmAsync(Query(Keys.Take(10)), (key, _) => ValueTask.FromResult("x" + key), new CacheWarmingOptions { Overwrite = true });
        Assert.That((again.Loaded, (await first.Cache.TryGetAsync<string>("item:0")).Value), Is.EqualTo((10, "xitem:0")), "Overwrite loads again");
    }

    [Test]
    public async Task Cancelling_stops_starting_loads_and_throws()
    {
        var prefix = Waits.NewPrefix();
        await using var first = await CacheInstance.StartAsync(Server, prefix);
        using var cancel = new CancellationTokenSource();
        var loads = 0;

        Assert.That(
            () => Warmer(first).WarmAsync(
                Keys.ToAsyncEnumerable(),
                (key, _) =>
                {
                    if (Interlocked.Increment(ref loads) == 10)
                    {
                        cancel.Cancel();
                    }

                    return ValueTask.FromResult("v");
                },
                new CacheWarmingOptions { MaxConcurrency = 1 },
                cancellationToken: cancel.Token),
            Throws.InstanceOf<OperationCanceledException>());
        Assert.That(loads, Is.LessThan(Keys.Length));
    }

    private static ICacheWarmer Warmer(CacheInstance instance) => instance.Services.GetRequiredService<ICacheWarmer>();

    /// <summary>An app's query: keys produced as the run goes, e.g. from a database reader.</summary>
    private static async IAsyncEnumerable<string> Query(IEnumerable<string> keys, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        foreach (var key in keys)
        {
            await Task.Yield();
            cancellationToken.ThrowIfCancellationRequested();
            yield return key;
        }
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int seen;
        while ((seen = Volatile.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, seen) != seen)
        {
        }
    }

    /// <summary>Records reports on the reporting thread (Progress&lt;T&gt; would post them later).</summary>
    private sealed class SynchronousProgress(ConcurrentQueue<CacheWarmingProgress> reports) : IProgress<CacheWarmingProgress>
    {
        public void Report(CacheWarmingProgress value) => reports.Enqueue(value);
    }
}
