using System;
using System.Threading;
using System.Threading.Tasks;
using NUnit.Framework;
using RedisCaching.Core.Tests.Connections;
using RedisCaching.Testing;
using static RedisCaching.Core.Tests.Adapters.AdapterTestSupport;
using static RedisCaching.Core.Tests.Cache.CacheTestSupport;

namespace RedisCaching.Core.Tests.Cache;

/// <summary>
/// <see cref="CacheEntryOptions.BackgroundRedisWrite"/>: a get-or-set miss returns without waiting for Redis to
/// acknowledge its write, memory is filled only once Redis has the value, and a write that fails after the caller left
/// never reaches memory. The cache talks to Redis through a proxy whose black hole holds the SET (and anything after
/// it) until it is let through, so "before" and "after" the acknowledgement are states, not timings.
/// </summary>
public class BackgroundRedisWriteTests : StandaloneServerFixture
{
    private static readonly CacheEntryOptions MemoryOnly = new() { Skip = CacheSkip.Redis };

    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(5);

    [Test]
    public async Task A_miss_returns_before_Redis_has_the_value_and_memory_is_filled_once_it_has()
    {
        await using var setup = await HeldWriteAsync(backgroundWrite: true, throwOnRedisFailure: false, TimeSpan.FromSeconds(10));
        var result = await setup.Cache.GetOrSetAsync("k", setup, static (s, _, _) => s.HoldAndReturn("v1")).AsTask().WaitAsync(TimeSpan.FromSeconds(5));

        // While the SET is held: later callers get the flight's value without a Redis read (that read would be held).
        var second = await setup.Cache.GetOrSetAsync("k", setup, static (s, _, _) => s.HoldAndReturn("v2")).AsTask().WaitAsync(TimeSpan.FromSeconds(5));
        var tryGet = await setup.Cache.TryGetAsync<string>("k").AsTask().WaitAsync(TimeSpan.FromSeconds(5));
        var inMemoryWhileHeld = setup.MemoryEntries;
        var inRedisWhileHeld = await Server.RunCliAsync("EXISTS", setup.Cache.RedisKeyOf("k"));

        setup.Proxy.PassThrough();
        var filled = await EventuallyAsync(() => Task.FromResult(setup.MemoryEntries == 1), Patience) ? (await setup.Cache.TryGetAsync<string>("k", MemoryOnly)).Value : null;
        using (Assert.EnterMultipleScope())
        {
            Assert.That(result.Value, Is.EqualTo("v1"));
            Assert.That(result.Tier, Is.EqualTo(CacheTier.Factory));
            Assert.That(second.Value, Is.EqualTo("v1"), "a caller during the write shares the flight");
            Assert.That(tryGet.Value, Is.EqualTo("v1"), "so does a try-get");
            Assert.That(setup.FactoryRuns, Is.EqualTo(1));
            Assert.That(inRedisWhileHeld.Trim(), Is.EqualTo("0"), "premise: the caller returned before Redis had the value");
            Assert.That(inMemoryWhileHeld, Is.Zero, "memory is never ahead of Redis");
            Assert.That(filled, Is.EqualTo("v1"), "memory filled once Redis acknowledged the write");
            Assert.That(setup.MemoryEntries, Is.EqualTo(1));
            Assert.That(await Server.RunCliAsync("EXISTS", setup.Cache.RedisKeyOf("k")), Does.StartWith("1"));
        }
    }

    [Test]
    public async Task Past_the_staleness_bound_a_value_still_writing_is_handed_out_no_more()
    {
        // Another client's write may land while ours is unacknowledged: past the bound, callers ask Redis again.
        await using var setup = await HeldWriteAsync(backgroundWrite: true, throwOnRedisFailure: false, TimeSpan.FromSeconds(10), TimeSpan.FromMilliseconds(50));
        var result = await setup.Cache.GetOrSetAsync("k", setup, static (s, _, _) => s.HoldAndReturn("v1")).AsTask().WaitAsync(TimeSpan.FromSeconds(5));
        await Task.Delay(200);
        var tryGet = setup.Cache.TryGetAsync<string>("k").AsTask();
        var getOrSet = setup.Cache.GetOrSetAsync("k", setup, static (s, _, _) => s.HoldAndReturn("v2")).AsTask();
        await Task.WhenAny(Task.WhenAll(tryGet, getOrSet), Task.Delay(300));
        var answeredWhileHeld = tryGet.IsCompleted || getOrSet.IsCompleted;

        setup.Proxy.PassThrough();
        await Task.WhenAll(tryGet, getOrSet).WaitAsync(TimeSpan.FromSeconds(5));
        using (Assert.EnterMultipleScope())
        {
            Assert.That(result.Value, Is.EqualTo("v1"));
            Assert.That(answeredWhileHeld, Is.False, "answered from the flight past the bound, not from Redis (held)");
        }
    }

    [TestCase(false, false, TestName = "Without BackgroundRedisWrite the caller waits for the acknowledgement")]
    [TestCase(true, true, TestName = "With ThrowOnRedisFailure the caller waits for the acknowledgement even with BackgroundRedisWrite")]
    public async Task The_caller_waits(bool backgroundWrite, bool throwOnRedisFailure)
    {
        await using var setup = await HeldWriteAsync(backgroundWrite, throwOnRedisFailure, TimeSpan.FromSeconds(10));
        var call = setup.Cache.GetOrSetAsync("k", setup, static (s, _, _) => s.HoldAndReturn("v1")).AsTask();
        await setup.FactoryCalled.WaitAsync(TimeSpan.FromSeconds(5));
        var completedWhileHeld = await Task.WhenAny(call, Task.Delay(300)) == call;

        setup.Proxy.PassThrough();
        var result = await call.WaitAsync(TimeSpan.FromSeconds(5));
        var inMemory = await setup.Cache.TryGetAsync<string>("k", MemoryOnly);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(completedWhileHeld, Is.False, "returned while Redis held the write");
            Assert.That(result.Value, Is.EqualTo("v1"));
            Assert.That(inMemory.Value, Is.EqualTo("v1"), "filled before the call returned");
        }
    }

    [Test]
    public async Task A_write_that_fails_after_the_caller_returned_never_reaches_memory()
    {
        // The budget runs out while the SET is held; then it is let through and lands in Redis late (in doubt).
        await using var setup = await HeldWriteAsync(backgroundWrite: true, throwOnRedisFailure: false, TimeSpan.FromMilliseconds(500));
        var result = await setup.Cache.GetOrSetAsync("k", setup, static (s, _, _) => s.HoldAndReturn("v1")).AsTask().WaitAsync(TimeSpan.FromSeconds(5));
        var failed = await EventuallyAsync(() => Task.FromResult(setup.Cache.Counters.RedisFailures > 0), Patience);
        setup.Proxy.PassThrough();
        var landed = await EventuallyAsync(async () => (await Server.RunCliAsync("EXISTS", setup.Cache.RedisKeyOf("k"))).StartsWith('1'), Patience);
        await Task.Delay(200);
        var inMemory = await setup.Cache.TryGetAsync<string>("k", MemoryOnly);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(result.Value, Is.EqualTo("v1"), "the factory's value, at once");
            Assert.That(failed, Is.True, "the timed-out write is counted as a Redis failure");
            Assert.That(landed, Is.True, "premise: the held SET reached Redis after the budget");
            Assert.That(inMemory.HasValue, Is.False, "a write not confirmed in time never fills memory");
            Assert.That(setup.MemoryEntries, Is.Zero);
        }
    }

    /// <summary>A coherent cache behind a proxy; the factory turns the proxy into a black hole, so the SET after it is held.</summary>
    private async Task<HeldWrite> HeldWriteAsync(bool backgroundWrite, bool throwOnRedisFailure, TimeSpan budget, TimeSpan? maxStaleness = null)
    {
        var proxy = FaultProxy.Start(Server);
        var options = Options(Server, o =>
        {
            o.Redis.Host = proxy.Endpoint.Address.ToString();
            o.Redis.Port = proxy.Port;
            o.Redis.CommandTimeout = TimeSpan.FromSeconds(10);
            o.RedisTimeout = budget;
            o.ThrowOnRedisFailure = throwOnRedisFailure;
            o.Memory.MaxStaleness = maxStaleness ?? o.Memory.MaxStaleness;
            o.DefaultEntryOptions = new CacheEntryOptions { Expiration = TimeSpan.FromMinutes(5), BackgroundRedisWrite = backgroundWrite };
        });
        return new HeldWrite(proxy, await CreateCoherentAsync(Server, options));
    }

    private sealed class HeldWrite(FaultProxy proxy, CoherentCache coherent) : IAsyncDisposable
    {
        private readonly TaskCompletionSource _factoryCalled = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _factoryRuns;

        public FaultProxy Proxy { get; } = proxy;

        public Internal.Engine.RedisCache Cache => coherent.Cache;

        public int FactoryRuns => Volatile.Read(ref _factoryRuns);

        /// <summary>Entries in the memory tier itself (a try-get may also answer from a flight still writing).</summary>
        public long MemoryEntries => coherent.Tier.Count;

        public Task FactoryCalled => _factoryCalled.Task;

        public ValueTask<string> HoldAndReturn(string value)
        {
            Interlocked.Increment(ref _factoryRuns);
            Proxy.BlackHole();
            _factoryCalled.TrySetResult();
            return ValueTask.FromResult(value);
        }

        public async ValueTask DisposeAsync()
        {
            Proxy.PassThrough();
            await coherent.DisposeAsync();
            await Proxy.DisposeAsync();
        }
    }
}
