using System;
using System.Collections.Concurrent;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Time.Testing;
using NUnit.Framework;

namespace RedisCaching.Invalidation.Tests;

/// <summary>
/// Scheduled warming: jobs registered in DI run once at start-up and on each interval (a fake clock moves the
/// schedule), report per job, stop on shutdown, and gate readiness through the app's <see cref="HealthCheckService"/>.
/// </summary>
public class WarmingScheduleTests : ServerFixture
{
    private static readonly string[] Keys = [.. Enumerable.Range(0, 20).Select(i => $"item:{i}")];

    // The fake clock is the engine's too: entries must outlive the intervals the tests move it by.
    private static readonly CacheEntryOptions Hour = new() { Expiration = TimeSpan.FromHours(1) };

    [Test]
    public async Task Jobs_run_once_at_start_up_then_on_each_interval()
    {
        var prefix = Waits.NewPrefix();
        var time = new FakeTimeProvider();
        var reports = new ConcurrentQueue<(string Job, CacheWarmingReport Report)>();
        var progress = new ConcurrentQueue<(string Job, CacheWarmingProgress Progress)>();
        await using var app = await App.StartAsync(Server, prefix, time, b => b
            .AddWarming(o =>
            {
                o.Interval = TimeSpan.FromMinutes(10);
                o.OnReport = (job, report) => reports.Enqueue((job, report));
                o.OnProgress = (job, p) => progress.Enqueue((job, p));
            })
            .AddWarmingJob("products", (_, _) => Keys.Take(12).ToAsyncEnumerable(), (_, key, _) => ValueTask.FromResult("p" + key), o => (o.MaxConcurrency, o.EntryOptions) = (2, Hour))
            .AddWarmingJob("prices", (_, _) => Keys.Skip(12).ToAsyncEnumerable(), (_, key, _) => ValueTask.FromResult(key.Length), o => o.EntryOptions = Hour));

        Assert.That(await Waits.UntilAsync(() => Task.FromResult(reports.Count == 2)), Is.Not.Null, "the start-up run reports both jobs");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(reports.Select(r => (r.Job, r.Report.Loaded, r.Report.Skipped)), Is.EqualTo(new[] { ("products", 12, 0), ("prices", 8, 0) }));
            Assert.That(progress.Where(p => p.Progress.Completed).Select(p => p.Job), Is.EqualTo(new[] { "products", "prices" }), "each job's progress, named");
            Assert.That(await RedisKeysAsync(prefix + ":item:*"), Has.Count.EqualTo(Keys.Length), "redis-cli sees every warmed key");
        }

        time.Advance(TimeSpan.FromMinutes(9));
        await Task.Delay(200);
        Assert.That(reports, Has.Count.EqualTo(2), "no run before the interval");

        time.Advance(TimeSpan.FromMinutes(1));
        Assert.That(await Waits.UntilAsync(() => Task.FromResult(reports.Count == 4)), Is.Not.Null, "the interval starts a second run");
        Assert.That(reports.Skip(2).Select(r => (r.Job, r.Report.Loaded, r.Report.Skipped)), Is.EqualTo(new[] { ("products", 0, 12), ("prices", 0, 8) }), "what the cache holds is skipped");
    }

    [Test]
    public async Task Readiness_is_unhealthy_while_start_up_warming_runs_and_healthy_after()
    {
        var prefix = Waits.NewPrefix();
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var app = await App.StartAsync(
            Server,
            prefix,
            new FakeTimeProvider(),
            b => b.AddWarmingJob("products", (_, _) => Keys.ToAsyncEnumerable(), async (_, key, ct) => { await release.Task.WaitAsync(ct); return "v" + key; }),
            health => health.AddCheck("always", () => HealthCheckResult.Healthy(), tags: ["live"]));

        var whileWarming = await app.ReadinessAsync();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(whileWarming.Status, Is.EqualTo(HealthStatus.Unhealthy));
            Assert.That(whileWarming.Entries.Keys, Is.EqualTo(new[] { "rediscaching-warming" }), "only the check tagged ready");
            Assert.That((await app.HealthAsync(_ => true)).Status, Is.EqualTo(HealthStatus.Unhealthy));
        }

        release.SetResult();
        Assert.That(await Waits.UntilAsync(async () => (await app.ReadinessAsync()).Status == HealthStatus.Healthy), Is.Not.Null, "ready once warm");
        Assert.That(await RedisKeysAsync(prefix + ":item:*"), Has.Count.EqualTo(Keys.Length));
    }

    [Test]
    public async Task A_failed_first_warming_is_degraded_by_default()
    {
        var prefix = Waits.NewPrefix();
        var reports = new ConcurrentQueue<CacheWarmingReport>();
        await using var app = await App.StartAsync(Server, prefix, new FakeTimeProvider(), b => b
            .AddWarming(o => o.OnReport = (_, r) => reports.Enqueue(r))
            .AddWarmingJob("products", (_, _) => Keys.ToAsyncEnumerable(), (_, key, _) => key == "item:3" ? throw new InvalidOperationException("row gone") : ValueTask.FromResult("v" + key))
            .AddWarmingJob<string>("broken", (_, _) => throw new InvalidOperationException("query failed"), (_, key, _) => ValueTask.FromResult(key)));

        Assert.That(await Waits.UntilAsync(async () => (await app.ReadinessAsync()).Status != HealthStatus.Unhealthy), Is.Not.Null);
        var ready = await app.ReadinessAsync();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(ready.Status, Is.EqualTo(HealthStatus.Degraded));
            Assert.That(ready.Entries["rediscaching-warming"].Description, Does.Contain("1 failed, 1 jobs failed"));
            Assert.That(reports.Single().Failures.Select(f => (f.Key, f.Error.Message)), Is.EqualTo(new[] { ("item:3", "row gone") }), "the failing key reaches the app; the failing query did not stop the run");
            Assert.That(await RedisKeysAsync(prefix + ":item:*"), Has.Count.EqualTo(Keys.Length - 1));
        }
    }

    [Test]
    public async Task A_failed_first_warming_reports_the_configured_status_until_a_later_run_succeeds()
    {
        var prefix = Waits.NewPrefix();
        var time = new FakeTimeProvider();
        var failing = 1;
        await using var app = await App.StartAsync(
            Server,
            prefix,
            time,
            b => b.AddWarming(o => o.Interval = TimeSpan.FromMinutes(5))
                .AddWarmingJob("products", (_, _) => Keys.ToAsyncEnumerable(), (_, key, _) => key == "item:3" && Volatile.Read(ref failing) == 1 ? throw new InvalidOperationException("row gone") : ValueTask.FromResult("v" + key)),
            failedWarming: HealthStatus.Unhealthy);

        Assert.That(await Waits.UntilAsync(async () => (await app.ReadinessAsync()).Entries["rediscaching-warming"].Description!.Contains("failures", StringComparison.Ordinal)), Is.Not.Null);
        Assert.That((await app.ReadinessAsync()).Status, Is.EqualTo(HealthStatus.Unhealthy), "configured: a failed start-up warming keeps the instance out of rotation");

        Volatile.Write(ref failing, 0);
        time.Advance(TimeSpan.FromMinutes(5));
        Assert.That(await Waits.UntilAsync(async () => (await app.ReadinessAsync()).Status == HealthStatus.Healthy), Is.Not.Null, "the next run succeeded");
    }

    [Test]
    public async Task A_later_run_that_fails_does_not_take_readiness_away()
    {
        var prefix = Waits.NewPrefix();
        var time = new FakeTimeProvider();
        var reports = new ConcurrentQueue<CacheWarmingReport>();
        var failing = 0;
        await using var app = await App.StartAsync(Server, prefix, time, b => b
            .AddWarming(o => (o.Interval, o.OnReport) = (TimeSpan.FromMinutes(5), (_, r) => reports.Enqueue(r)))
            .AddWarmingJob("products", (_, _) => Keys.ToAsyncEnumerable(), (_, key, _) => Volatile.Read(ref failing) == 1 ? throw new InvalidOperationException("database down") : ValueTask.FromResult("v" + key), o => (o.Overwrite, o.EntryOptions) = (true, Hour)));
        Assert.That(await Waits.UntilAsync(async () => (await app.ReadinessAsync()).Status == HealthStatus.Healthy), Is.Not.Null);

        Volatile.Write(ref failing, 1);
        time.Advance(TimeSpan.FromMinutes(5));
        Assert.That(await Waits.UntilAsync(() => Task.FromResult(reports.Count == 2)), Is.Not.Null);
        var ready = await app.ReadinessAsync();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(reports.Last().Failures, Has.Count.EqualTo(Keys.Length), "the second run failed every key");
            Assert.That(ready.Status, Is.EqualTo(HealthStatus.Healthy), "readiness gates start-up only");
        }
    }

    [Test]
    public async Task A_hot_key_job_reloads_the_keys_this_instance_read_most_and_sampling_allocates_nothing_on_a_memory_hit()
    {
        var prefix = Waits.NewPrefix();
        var time = new FakeTimeProvider();
        var reports = new ConcurrentQueue<CacheWarmingReport>();
        var loadedKeys = new ConcurrentQueue<string>();
        await using var app = await App.StartAsync(Server, prefix, time, b => b
            .AddWarming(o => (o.Interval, o.OnReport) = (TimeSpan.FromMinutes(5), (_, r) => reports.Enqueue(r)))
            .AddHotKeyWarmingJob("hot", 2, (_, key, _) => { loadedKeys.Enqueue(key); return ValueTask.FromResult("fresh " + key); }, o => (o.Overwrite, o.EntryOptions) = (true, Hour)));
        Assert.That(await Waits.UntilAsync(() => Task.FromResult(reports.Count == 1)), Is.Not.Null);
        Assert.That(reports.Single().Loaded, Is.Zero, "a new instance has read nothing yet");

        foreach (var key in new[] { "a", "b", "c" })
        {
            await app.Cache.SetAsync(key, "old " + key, Hour);
            Assert.That(await Waits.InMemoryAsync(app.Cache, key), Is.True);
        }

        // One round first: the static lambda's delegate and the thread's static storage are created once.
        var memoryHits = Read(0, 1);
        var before = GC.GetAllocatedBytesForCurrentThread();
        memoryHits += Read(1, 4000);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        using (Assert.EnterMultipleScope())
        {
            Assert.That(memoryHits, Is.EqualTo(4000 + 2000 + 100), "every read a synchronous memory hit");
            Assert.That(allocated, Is.Zero, "6,097 memory hits (TryGetAsync and GetOrSetAsync), about 1 in 16 sampled, allocated bytes");
            Assert.That(((ICacheHotKeys)app.Cache).GetHotKeys(2), Is.EqualTo(new[] { "a", "b" }));
        }

        time.Advance(TimeSpan.FromMinutes(5));
        Assert.That(await Waits.UntilAsync(() => Task.FromResult(reports.Count == 2)), Is.Not.Null);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(loadedKeys, Is.EquivalentTo(new[] { "a", "b" }), "the two hottest keys, not c");
            Assert.That((await app.Cache.TryGetAsync<string>("a")).Value, Is.EqualTo("fresh a"));
            Assert.That((await app.Cache.TryGetAsync<string>("c")).Value, Is.EqualTo("old c"));
        }

        int Read(int from, int to)
        {
            var hits = 0;
            for (var i = from; i < to; i++)
            {
                hits += MemoryHit(app.Cache.TryGetAsync<string>("a")) + (i % 2 == 0 ? MemoryHit(app.Cache.GetOrSetAsync("b", 0, static (_, _, _) => ValueTask.FromResult("never"))) : 0) + (i % 40 == 0 ? MemoryHit(app.Cache.TryGetAsync<string>("c")) : 0);
            }

            return hits;
        }
    }

    private static int MemoryHit<T>(ValueTask<CacheResult<T>> read) => read.IsCompletedSuccessfully && read.Result.Tier == CacheTier.Memory ? 1 : 0;

    [Test]
    public async Task Stopping_the_host_cancels_the_run_in_flight()
    {
        var prefix = Waits.NewPrefix();
        int started = 0, cancelled = 0;
        var app = await App.StartAsync(Server, prefix, new FakeTimeProvider(), b => b
            .AddWarming(o => o.Interval = TimeSpan.FromMinutes(1))
            .AddWarmingJob("slow", (_, _) => Keys.ToAsyncEnumerable(), async (_, key, ct) =>
            {
                Interlocked.Increment(ref started);
                try
                {
                    await Task.Delay(Timeout.Infinite, ct);
                }
                catch (OperationCanceledException)
                {
                    Interlocked.Increment(ref cancelled);
                    throw;
                }

                return key;
            }, o => o.MaxConcurrency = 2));
        await using (app)
        {
            Assert.That(await Waits.UntilAsync(() => Task.FromResult(Volatile.Read(ref started) == 2)), Is.Not.Null, "two loads in flight");
            var stopping = System.Diagnostics.Stopwatch.StartNew();
            await app.StopAsync().WaitAsync(TimeSpan.FromSeconds(10));
            using (Assert.EnterMultipleScope())
            {
                Assert.That(stopping.Elapsed, Is.LessThan(TimeSpan.FromSeconds(5)));
                Assert.That((started, cancelled), Is.EqualTo((2, 2)), "both loads in flight saw the cancellation, no new one started");
                Assert.That((await app.ReadinessAsync()).Status, Is.EqualTo(HealthStatus.Unhealthy), "a cancelled run never made the instance ready");
            }
        }
    }

    /// <summary>An app instance as the generic host runs it: its hosted services started and stopped in order, health checks registered.</summary>
    private sealed class App : IAsyncDisposable
    {
        private readonly CacheInstance _instance;
        private readonly IHostedService[] _hosted;
        private bool _stopped;

        private App(CacheInstance instance)
        {
            _instance = instance;
            _hosted = [.. instance.Services.GetServices<IHostedService>()];
        }

        public static async Task<App> StartAsync(
            Testing.IRedisTestServer server,
            string prefix,
            TimeProvider time,
            Action<IRedisCachingBuilder> register,
            Action<IHealthChecksBuilder>? health = null,
            HealthStatus failedWarming = HealthStatus.Degraded)
        {
            var instance = await CacheInstance.StartAsync(server, prefix, register: b =>
            {
                b.Services.AddLogging().AddSingleton(time);
                var checks = b.Services.AddHealthChecks().AddRedisCachingWarming(failedWarming: failedWarming);
                health?.Invoke(checks);

                register(b);
            });
            var app = new App(instance);
            foreach (var service in app._hosted)
            {
                await service.StartAsync(CancellationToken.None);
            }

            return app;
        }

        public ICache Cache => _instance.Cache;

        public Task<HealthReport> ReadinessAsync() => HealthAsync(r => r.Tags.Contains("ready"));

        public Task<HealthReport> HealthAsync(Func<HealthCheckRegistration, bool> predicate) =>
            _instance.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync(predicate);

        public async Task StopAsync()
        {
            _stopped = true;
            foreach (var service in _hosted.Reverse())
            {
                await service.StopAsync(CancellationToken.None);
            }
        }

        public async ValueTask DisposeAsync()
        {
            if (!_stopped)
            {
                await StopAsync();
            }

            await _instance.DisposeAsync();
        }
    }
}
