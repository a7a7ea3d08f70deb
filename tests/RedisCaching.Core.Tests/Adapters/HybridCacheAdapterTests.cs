using System;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.Caching.Hybrid;
using Microsoft.Extensions.DependencyInjection;
using NUnit.Framework;
using RedisCaching.Core.Tests.Connections;
using StackExchange.Redis;
using static RedisCaching.Core.Tests.Adapters.AdapterTestSupport;

namespace RedisCaching.Core.Tests.Adapters;

/// <summary>How HybridCache's options, flags and calls map onto the engine.</summary>
public class HybridCacheAdapterTests : StandaloneServerFixture
{
    private ServiceProvider _provider = null!;
    private HybridCache _cache = null!;
    private ConnectionMultiplexer _redis = null!;
    private string _prefix = null!;
    private int _factoryRuns;

    [SetUp]
    public async Task Start()
    {
        _prefix = NewPrefix();
        _provider = await BuildAsync(Server, _prefix);
        _cache = _provider.GetRequiredService<HybridCache>();
        _redis = await ConnectionMultiplexer.ConnectAsync(Server.CreateConfigurationOptions());
        _factoryRuns = 0;
    }

    [TearDown]
    public async Task Stop()
    {
        await _provider.DisposeAsync();
        await _redis.DisposeAsync();
    }

    private RedisKey RedisKeyOf(string key) => $"{_prefix}:{key}";

    private ValueTask<string> Load(HybridCache cache, string key, string value, HybridCacheEntryOptions? options = null, string[]? tags = null) =>
        cache.GetOrCreateAsync(key, (this, value), static (state, _) => { Interlocked.Increment(ref state.Item1._factoryRuns); return ValueTask.FromResult(state.value); }, options, tags);

    [Test]
    public async Task Expiration_is_the_entrys_expiration()
    {
        await _cache.SetAsync("exp", "v", new HybridCacheEntryOptions { Expiration = TimeSpan.FromSeconds(90) });
        var (header, _) = ReadEntry((byte[])(await _redis.GetDatabase().StringGetAsync(RedisKeyOf("exp")))!);
        Assert.That(header.LogicalExpiresAtUnixMs - header.CreatedAtUnixMs, Is.EqualTo(90_000));
    }

    [Test]
    public async Task LocalCacheExpiration_is_ignored_because_memory_follows_redis()
    {
        var options = new HybridCacheEntryOptions { Expiration = TimeSpan.FromMinutes(1), LocalCacheExpiration = TimeSpan.FromMilliseconds(20) };
        await Load(_cache, "local", "v", options);
        await Task.Delay(300);

        // A memory hit needs the staleness lease, which a loaded machine can let lapse for a moment (the read then
        // goes to Redis): read until one was a memory hit, every read returning the cached value.
        var servedByMemory = false;
        var deadline = System.Diagnostics.Stopwatch.StartNew();
        while (!servedByMemory && deadline.Elapsed < TimeSpan.FromSeconds(10))
        {
            var memoryHits = Engine(_provider).Counters.MemoryHits;
            Assert.That(await Load(_cache, "local", "other", options), Is.EqualTo("v"));
            servedByMemory = Engine(_provider).Counters.MemoryHits == memoryHits + 1;
        }

        using (Assert.EnterMultipleScope())
        {
            Assert.That(servedByMemory, Is.True, "still served by memory after the 'local' expiration");
            Assert.That(_factoryRuns, Is.EqualTo(1));
        }
    }

    [Test]
    public async Task DisableUnderlyingData_reads_the_cache_only_and_a_miss_is_default()
    {
        var readOnly = new HybridCacheEntryOptions { Flags = HybridCacheEntryFlags.DisableUnderlyingData };
        var missing = await Load(_cache, "ro", "from factory", readOnly);
        await _cache.SetAsync("ro", "cached");
        var present = await Load(_cache, "ro", "from factory", readOnly);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(missing, Is.Null);
            Assert.That(present, Is.EqualTo("cached"));
            Assert.That(_factoryRuns, Is.Zero);
            Assert.That(await _cache.GetOrCreateAsync("ro-int", 0, static (_, _) => ValueTask.FromResult(42), readOnly), Is.Zero, "default of a value type");
        }
    }

    [Test]
    public async Task DisableDistributedCacheWrite_keeps_the_entry_in_this_instances_memory_only()
    {
        var localOnly = new HybridCacheEntryOptions { Flags = HybridCacheEntryFlags.DisableDistributedCacheWrite };
        await Load(_cache, "local-only", "v", localOnly);
        await Load(_cache, "local-only", "other", localOnly);
        await using var other = await BuildAsync(Server, _prefix);
        var elsewhere = await Load(other.GetRequiredService<HybridCache>(), "local-only", "elsewhere", localOnly);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(await _redis.GetDatabase().KeyExistsAsync(RedisKeyOf("local-only")), Is.False);
            Assert.That(_factoryRuns, Is.EqualTo(2), "once here (then memory), once on the other instance");
            Assert.That(elsewhere, Is.EqualTo("elsewhere"));
        }
    }

    [Test]
    public async Task DisableLocalCache_reads_and_writes_redis_only()
    {
        var redisOnly = new HybridCacheEntryOptions { Flags = HybridCacheEntryFlags.DisableLocalCache };
        await Load(_cache, "redis-only", "v", redisOnly);
        var counters = Engine(_provider).Counters;
        var (memoryHits, redisHits) = (counters.MemoryHits, counters.RedisHits);
        Assert.That(await Load(_cache, "redis-only", "other", redisOnly), Is.EqualTo("v"));
        using (Assert.EnterMultipleScope())
        {
            Assert.That(counters.MemoryHits, Is.EqualTo(memoryHits));
            Assert.That(counters.RedisHits, Is.EqualTo(redisHits + 1));
        }
    }

    [Test]
    public async Task DisableDistributedCacheRead_runs_the_factory_even_when_redis_has_the_entry()
    {
        await using var other = await BuildAsync(Server, _prefix);
        await other.GetRequiredService<HybridCache>().SetAsync("no-l2-read", "in redis");
        var value = await Load(_cache, "no-l2-read", "from factory", new HybridCacheEntryOptions { Flags = HybridCacheEntryFlags.DisableDistributedCacheRead });
        Assert.That(value, Is.EqualTo("from factory"));
    }

    [Test]
    public async Task Byte_arrays_are_stored_as_raw_bytes()
    {
        await _cache.SetAsync("bytes", new byte[] { 0xFF, 0x00, 0x7F });
        var (header, payload) = ReadEntry((byte[])(await _redis.GetDatabase().StringGetAsync(RedisKeyOf("bytes")))!);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(header.SerializerId, Is.EqualTo(RawBytesSerializerId));
            Assert.That(payload, Is.EqualTo(new byte[] { 0xFF, 0x00, 0x7F }));
        }
    }

    [Test]
    public async Task RemoveAsync_of_many_keys_removes_each_and_null_is_empty()
    {
        await _cache.SetAsync("r1", "1");
        await _cache.SetAsync("r2", "2");
        await _cache.RemoveAsync(["r1", "r2"]);
        await _cache.RemoveAsync((string[])null!);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(await _redis.GetDatabase().KeyExistsAsync(RedisKeyOf("r1")), Is.False);
            Assert.That(await _redis.GetDatabase().KeyExistsAsync(RedisKeyOf("r2")), Is.False);
            Assert.That(await Load(_cache, "r1", "again"), Is.EqualTo("again"));
        }
    }

    [Test]
    public async Task SetAsync_with_tags_then_RemoveByTagAsync_removes_those_entries_only()
    {
        await _cache.SetAsync("t1", "1", tags: ["blue"]);
        await _cache.SetAsync("t2", "2", tags: ["blue", "green"]);
        await _cache.SetAsync("t3", "3", tags: ["green"]);
        await _cache.RemoveByTagAsync(["blue"]);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(await Load(_cache, "t1", "new 1"), Is.EqualTo("new 1"));
            Assert.That(await Load(_cache, "t2", "new 2"), Is.EqualTo("new 2"));
            Assert.That(await Load(_cache, "t3", "new 3"), Is.EqualTo("3"));
        }
    }

    [Test]
    public void The_wildcard_tag_is_refused_and_bad_keys_throw_CacheKeyException()
    {
        using (Assert.EnterMultipleScope())
        {
            Assert.ThrowsAsync<NotSupportedException>(async () => await _cache.RemoveByTagAsync("*"));
            Assert.DoesNotThrowAsync(async () => await _cache.RemoveByTagAsync((string[])null!));
            var error = Assert.ThrowsAsync<CacheKeyException>(async () => await Load(_cache, "no spaces please", "v"));
            Assert.That(error?.Rule, Is.EqualTo("characters"));
            Assert.That(_factoryRuns, Is.Zero);
        }
    }

    [Test]
    public void A_factory_failure_reaches_the_caller()
    {
        var error = Assert.ThrowsAsync<InvalidOperationException>(async () =>
            await _cache.GetOrCreateAsync<string>("fails", static _ => throw new InvalidOperationException("backend down")));
        Assert.That(error?.Message, Is.EqualTo("backend down"));
    }
}
