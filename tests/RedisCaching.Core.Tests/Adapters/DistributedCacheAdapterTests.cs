using System;
using System.Buffers;
using System.Diagnostics;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.DependencyInjection;
using NUnit.Framework;
using RedisCaching.Core.Tests.Connections;
using StackExchange.Redis;
using static RedisCaching.Core.Tests.Adapters.AdapterTestSupport;

namespace RedisCaching.Core.Tests.Adapters;

/// <summary>IDistributedCache and IBufferDistributedCache as registered by AsDistributedCache(), against a real server.</summary>
public class DistributedCacheAdapterTests : StandaloneServerFixture
{
    private ServiceProvider _provider = null!;
    private IDistributedCache _cache = null!;
    private ConnectionMultiplexer _redis = null!;
    private string _prefix = null!;

    [SetUp]
    public async Task Start()
    {
        _prefix = NewPrefix();
        _provider = await BuildAsync(Server, _prefix);
        _cache = _provider.GetRequiredService<IDistributedCache>();
        _redis = await ConnectionMultiplexer.ConnectAsync(Server.CreateConfigurationOptions());
    }

    [TearDown]
    public async Task Stop()
    {
        await _provider.DisposeAsync();
        await _redis.DisposeAsync();
    }

    private IDatabase Redis => _redis.GetDatabase();

    private RedisKey RedisKeyOf(string key) => $"{_prefix}:{key}";

    private async Task<long> PttlAsync(string key) => (long)await Redis.ExecuteAsync("PTTL", RedisKeyOf(key));

    private static byte[] RandomBytes(int length)
    {
        var bytes = new byte[length];
        new Random(length).NextBytes(bytes);
        return bytes;
    }

    private static DistributedCacheEntryOptions Relative(TimeSpan lifetime) => new() { AbsoluteExpirationRelativeToNow = lifetime };

    [Test]
    public async Task Bytes_are_stored_verbatim_after_the_entry_header()
    {
        // Bytes that are not UTF-8, and would be base64 (a third larger) had they gone through JSON.
        var value = new byte[] { 0x00, 0xFF, 0xFE, (byte)'R', (byte)'C', 0x80, 0xC3 }.Concat(RandomBytes(1000)).ToArray();
        await _cache.SetAsync("doc", value, Relative(TimeSpan.FromMinutes(1)));
        var stored = (byte[])(await Redis.StringGetAsync(RedisKeyOf("doc")))!;
        var (header, payload) = ReadEntry(stored);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(stored.Take(3), Is.EqualTo(new byte[] { 0xFE, (byte)'R', (byte)'C' }), "the entry header");
            Assert.That(header.SerializerId, Is.EqualTo(RawBytesSerializerId), "serializer id: raw bytes");
            Assert.That(payload, Is.EqualTo(value), "and nothing but the bytes after it");
            Assert.That(await _cache.GetAsync("doc"), Is.EqualTo(value));
        }
    }

    [Test]
    public async Task Each_read_returns_its_own_copy_so_a_caller_cannot_change_the_cached_value()
    {
        await _cache.SetAsync("mutable", [1, 2, 3], Relative(TimeSpan.FromMinutes(1)));

        // Memory serves a hit once the staleness lease holds (the first reads start its pings): read until one did,
        // changing every copy returned, so the memory hit must still hand out the original bytes.
        var served = Stopwatch.StartNew();
        while (true)
        {
            var memoryHitsBefore = Engine(_provider).Counters.MemoryHits;
            var copy = (await _cache.GetAsync("mutable"))!;
            Assert.That(copy, Is.EqualTo(new byte[] { 1, 2, 3 }), "a caller's change reached the cache");
            copy[0] = 99;
            if (Engine(_provider).Counters.MemoryHits > memoryHitsBefore)
            {
                break;
            }

            Assert.That(served.Elapsed, Is.LessThan(TimeSpan.FromSeconds(10)), "never served by the memory tier");
            await Task.Delay(5);
        }

        Assert.That(await _cache.GetAsync("mutable"), Is.EqualTo(new byte[] { 1, 2, 3 }));
    }

    [Test]
    public async Task Absolute_expiration_is_the_redis_ttl_and_the_entry_is_gone_at_that_time_not_before()
    {
        await _cache.SetAsync("abs-long", [1], new DistributedCacheEntryOptions { AbsoluteExpiration = DateTimeOffset.UtcNow.AddSeconds(60) });
        Assert.That(await PttlAsync("abs-long"), Is.InRange(50_000, 60_000), "no fail-safe window is added");

        var clock = Stopwatch.StartNew();
        await _cache.SetAsync("abs-short", [2], new DistributedCacheEntryOptions { AbsoluteExpiration = DateTimeOffset.UtcNow.AddSeconds(3) });
        Assert.That(await _cache.GetAsync("abs-short"), Is.EqualTo(new byte[] { 2 }));
        var gone = await EventuallyAsync(async () => await _cache.GetAsync("abs-short") is null, TimeSpan.FromSeconds(20));
        using (Assert.EnterMultipleScope())
        {
            Assert.That(gone, Is.True, "expired");
            Assert.That(clock.Elapsed, Is.GreaterThanOrEqualTo(TimeSpan.FromSeconds(2.9)), "not before its absolute expiration");
            // Redis counts the TTL from when the SET reached it, a little after the engine's clock read, so it may
            // hold the key a few milliseconds longer than the engine treats it as fresh.
            Assert.That(await EventuallyAsync(async () => !await Redis.KeyExistsAsync(RedisKeyOf("abs-short")), TimeSpan.FromSeconds(5)), Is.True, "and Redis let go of it");
        }
    }

    [Test]
    public async Task Relative_expiration_is_the_redis_ttl_with_no_fail_safe_window()
    {
        await _cache.SetAsync("rel", [1, 2], Relative(TimeSpan.FromSeconds(45)));
        var (header, _) = ReadEntry((byte[])(await Redis.StringGetAsync(RedisKeyOf("rel")))!);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(await PttlAsync("rel"), Is.InRange(40_000, 45_000));
            Assert.That(header.LogicalExpiresAtUnixMs - header.CreatedAtUnixMs, Is.EqualTo(45_000));
            Assert.That(header.HardExpiresAtUnixMs, Is.EqualTo(header.LogicalExpiresAtUnixMs), "the entry is gone when it expires, never served stale");
        }
    }

    [Test]
    public async Task Relative_expiration_wins_over_absolute_when_both_are_set()
    {
        await _cache.SetAsync("both", [1], new DistributedCacheEntryOptions
        {
            AbsoluteExpiration = DateTimeOffset.UtcNow.AddHours(1),
            AbsoluteExpirationRelativeToNow = TimeSpan.FromSeconds(30),
        });
        Assert.That(await PttlAsync("both"), Is.InRange(25_000, 30_000));
    }

    [Test]
    public async Task An_entry_without_expiration_is_kept_for_a_year()
    {
        await _cache.SetAsync("forever", [1], new DistributedCacheEntryOptions());
        Assert.That(await PttlAsync("forever"), Is.InRange((long)TimeSpan.FromDays(364).TotalMilliseconds, (long)TimeSpan.FromDays(365).TotalMilliseconds));
    }

    [Test]
    public void An_absolute_expiration_in_the_past_throws_like_Microsofts_RedisCache()
    {
        var past = new DistributedCacheEntryOptions { AbsoluteExpiration = DateTimeOffset.UtcNow.AddSeconds(-1) };
        using (Assert.EnterMultipleScope())
        {
            Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => _cache.SetAsync("past", [1], past));
            Assert.Throws<ArgumentOutOfRangeException>(() => _cache.Set("past", [1], past));
            Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () => await ((IBufferDistributedCache)_cache).SetAsync("past", new ReadOnlySequence<byte>([1]), past));
        }

        Assert.That(Redis.KeyExists(RedisKeyOf("past")), Is.False);
    }

    [Test]
    public async Task Sliding_expiration_is_the_redis_ttl_and_a_read_restarts_it()
    {
        await _cache.SetAsync("slide", [1], new DistributedCacheEntryOptions { SlidingExpiration = TimeSpan.FromSeconds(20) });
        var (header, _) = ReadEntry((byte[])(await Redis.StringGetAsync(RedisKeyOf("slide")))!);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(await PttlAsync("slide"), Is.InRange(15_000, 20_000), "the window, not the one-year cap");
            Assert.That(header.SlidingMs, Is.EqualTo(20_000));
            Assert.That(header.LogicalExpiresAtUnixMs - header.CreatedAtUnixMs, Is.EqualTo((long)TimeSpan.FromDays(365).TotalMilliseconds), "the cap for an entry with no absolute expiration");
        }

        // The engine extends a sliding entry read from memory in the background, once a quarter of its window has passed.
        await Task.Delay(5500);
        var before = await PttlAsync("slide");
        Assert.That(await _cache.GetAsync("slide"), Is.EqualTo(new byte[] { 1 }));
        Assert.That(await EventuallyAsync(async () => await PttlAsync("slide") > before + 3000, TimeSpan.FromSeconds(5)), Is.True, "the read restarted the window");
    }

    [Test]
    public async Task A_sliding_entry_lives_while_it_is_read_and_expires_once_idle()
    {
        var options = new DistributedCacheEntryOptions { SlidingExpiration = TimeSpan.FromSeconds(3) };
        await _cache.SetAsync("idle", [7], options);
        for (var i = 0; i < 5; i++)
        {
            await Task.Delay(1000);
            Assert.That(await _cache.GetAsync("idle"), Is.EqualTo(new byte[] { 7 }), $"read {i + 1}, 5 s after the write, within 3 s of the last read");
        }

        var idle = Stopwatch.StartNew();
        var gone = await EventuallyAsync(async () => !await Redis.KeyExistsAsync(RedisKeyOf("idle")), TimeSpan.FromSeconds(20));
        using (Assert.EnterMultipleScope())
        {
            Assert.That(gone, Is.True);
            Assert.That(idle.Elapsed, Is.GreaterThanOrEqualTo(TimeSpan.FromSeconds(1.5)), "the last read gave it a new 3 s window");
            Assert.That(await _cache.GetAsync("idle"), Is.Null, "and memory let go of it too");
        }
    }

    [Test]
    public async Task Sliding_never_extends_past_the_absolute_expiration()
    {
        await _cache.SetAsync("capped", [1], new DistributedCacheEntryOptions
        {
            SlidingExpiration = TimeSpan.FromSeconds(60),
            AbsoluteExpirationRelativeToNow = TimeSpan.FromSeconds(5),
        });
        Assert.That(await PttlAsync("capped"), Is.InRange(1, 5_000));
        await _cache.GetAsync("capped");
        Assert.That(await PttlAsync("capped"), Is.InRange(1, 5_000), "a read does not move the cap");
    }

    [Test]
    public async Task Refresh_restarts_the_sliding_window_without_reading()
    {
        await _cache.SetAsync("refresh", [1], new DistributedCacheEntryOptions { SlidingExpiration = TimeSpan.FromSeconds(60) });
        await Task.Delay(1500);
        var before = await PttlAsync("refresh");
        await _cache.RefreshAsync("refresh");
        var afterAsync = await PttlAsync("refresh");
        await Task.Delay(1500);
        var beforeSync = await PttlAsync("refresh");
        _cache.Refresh("refresh");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(afterAsync, Is.GreaterThan(before + 1000));
            Assert.That(await PttlAsync("refresh"), Is.GreaterThan(beforeSync + 1000), "the synchronous Refresh too");
        }
    }

    [Test]
    public async Task Refresh_of_an_entry_without_sliding_expiration_changes_nothing()
    {
        await _cache.SetAsync("fixed", [1], Relative(TimeSpan.FromSeconds(30)));
        await Task.Delay(1500);
        await _cache.RefreshAsync("fixed");
        Assert.That(await PttlAsync("fixed"), Is.LessThanOrEqualTo(29_000));
    }

    [Test]
    public async Task Remove_deletes_the_entry_here_in_redis_and_in_another_instances_memory()
    {
        await using var other = await BuildAsync(Server, _prefix);
        var otherCache = other.GetRequiredService<IDistributedCache>();
        await _cache.SetAsync("gone", [1, 2, 3], Relative(TimeSpan.FromMinutes(5)));
        Assert.That(await otherCache.GetAsync("gone"), Is.EqualTo(new byte[] { 1, 2, 3 }));
        Assert.That(await otherCache.GetAsync("gone"), Is.Not.Null, "now in the other instance's memory");

        await _cache.RemoveAsync("gone");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(await _cache.GetAsync("gone"), Is.Null);
            Assert.That(await Redis.KeyExistsAsync(RedisKeyOf("gone")), Is.False);
            Assert.That(await EventuallyAsync(async () => await otherCache.GetAsync("gone") is null, TimeSpan.FromSeconds(5)), Is.True, "the other instance's memory was invalidated");
        }
    }

    [Test]
    public async Task Synchronous_methods_round_trip()
    {
        _cache.Set("sync", [4, 5], Relative(TimeSpan.FromMinutes(1)));
        var read = _cache.Get("sync");
        _cache.Remove("sync");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(read, Is.EqualTo(new byte[] { 4, 5 }));
            Assert.That(_cache.Get("sync"), Is.Null);
            Assert.That(await Redis.KeyExistsAsync(RedisKeyOf("sync")), Is.False);
        }
    }

    [Test]
    public async Task Synchronous_methods_do_not_deadlock_on_a_single_threaded_synchronization_context()
    {
        // The key is in Redis but not in this instance's memory, so Get must wait for Redis: if anything on that path
        // captured the context, its continuation would be queued to the very thread that is blocked, forever.
        await _cache.SetAsync("ctx", [9], Relative(TimeSpan.FromMinutes(1)));
        await using var other = await BuildAsync(Server, _prefix);
        var otherCache = other.GetRequiredService<IDistributedCache>();
        byte[]? read = null;
        var context = new NeverPumpedSynchronizationContext();
        var finished = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(() =>
        {
            SynchronizationContext.SetSynchronizationContext(context);
            read = otherCache.Get("ctx");
            otherCache.Set("ctx2", [8], Relative(TimeSpan.FromMinutes(1)));
            finished.SetResult();
        });
        thread.Start();

        // Awaited, not Thread.Join: a blocked test thread would be one thread-pool thread fewer for StackExchange.Redis's
        // reader on a 2-core machine (its 1 s timeout then failed the Get, which read as a miss).
        var completed = await Task.WhenAny(finished.Task, Task.Delay(TimeSpan.FromSeconds(20))) == finished.Task;
        using (Assert.EnterMultipleScope())
        {
            Assert.That(completed, Is.True, "the blocked call completed");
            Assert.That(read, Is.EqualTo(new byte[] { 9 }));
            Assert.That(context.Posted, Is.Zero, "nothing was posted to the caller's context");
        }
    }

    [Test]
    public async Task A_multi_segment_sequence_round_trips_through_IBufferDistributedCache()
    {
        var buffers = _provider.GetRequiredService<IBufferDistributedCache>();
        var parts = new[] { RandomBytes(1), RandomBytes(4096), RandomBytes(70_000) };
        var sequence = Segments.Of(parts);
        Assert.That(sequence.IsSingleSegment, Is.False);
        await buffers.SetAsync("seq", sequence, Relative(TimeSpan.FromMinutes(1)));

        var expected = parts.SelectMany(p => p).ToArray();
        var fromRedis = new ArrayBufferWriter<byte>();
        await using var other = await BuildAsync(Server, _prefix);
        var otherBuffers = other.GetRequiredService<IBufferDistributedCache>();
        var foundInRedis = await otherBuffers.TryGetAsync("seq", fromRedis);
        var fromMemory = new ArrayBufferWriter<byte>();
        var foundInMemory = await otherBuffers.TryGetAsync("seq", fromMemory);
        var synchronously = new ArrayBufferWriter<byte>();
        var (_, stored) = ReadEntry((byte[])(await Redis.StringGetAsync(RedisKeyOf("seq")))!);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(foundInRedis, Is.True);
            Assert.That(fromRedis.WrittenSpan.ToArray(), Is.EqualTo(expected));
            Assert.That(foundInMemory, Is.True);
            Assert.That(fromMemory.WrittenSpan.ToArray(), Is.EqualTo(expected), "second read, from the memory tier");
            Assert.That(buffers.TryGet("seq", synchronously), Is.True);
            Assert.That(synchronously.WrittenSpan.ToArray(), Is.EqualTo(expected));
            Assert.That(stored, Is.EqualTo(expected), "verbatim in Redis");
            Assert.That(await _cache.GetAsync("seq"), Is.EqualTo(expected), "and the same bytes through IDistributedCache");
        }
    }

    [Test]
    public async Task TryGet_of_a_missing_key_returns_false_and_writes_nothing()
    {
        var buffers = _provider.GetRequiredService<IBufferDistributedCache>();
        var destination = new ArrayBufferWriter<byte>();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(await buffers.TryGetAsync("missing", destination), Is.False);
            Assert.That(buffers.TryGet("missing", destination), Is.False);
            Assert.That(destination.WrittenCount, Is.Zero);
        }
    }

    [Test]
    public async Task An_entry_of_another_type_under_the_key_is_a_miss_not_json_bytes()
    {
        await Engine(_provider).SetAsync("typed", "a string, stored as JSON");
        var other = await BuildAsync(Server, _prefix);
        await using (other)
        {
            Assert.That(await other.GetRequiredService<IDistributedCache>().GetAsync("typed"), Is.Null);
        }
    }

    [TestCase("", "empty")]
    [TestCase("has space", "characters")]
    [TestCase("ünïcode", "characters")]
    public void Bad_keys_throw_CacheKeyException_naming_the_rule(string key, string rule)
    {
        var buffers = (IBufferDistributedCache)_cache;
        var options = Relative(TimeSpan.FromMinutes(1));
        var calls = new (string Name, Action Call)[]
        {
            ("GetAsync", () => _cache.GetAsync(key).GetAwaiter().GetResult()),
            ("SetAsync", () => _cache.SetAsync(key, [1], options).GetAwaiter().GetResult()),
            ("RefreshAsync", () => _cache.RefreshAsync(key).GetAwaiter().GetResult()),
            ("RemoveAsync", () => _cache.RemoveAsync(key).GetAwaiter().GetResult()),
            ("Get", () => _cache.Get(key)),
            ("Set", () => _cache.Set(key, [1], options)),
            ("TryGetAsync", () => buffers.TryGetAsync(key, new ArrayBufferWriter<byte>()).AsTask().GetAwaiter().GetResult()),
            ("SetAsync(sequence)", () => buffers.SetAsync(key, new ReadOnlySequence<byte>([1]), options).AsTask().GetAwaiter().GetResult()),
        };
        using (Assert.EnterMultipleScope())
        {
            foreach (var (name, call) in calls)
            {
                var error = Assert.Throws<CacheKeyException>(call, name);
                Assert.That(error?.Rule, Is.EqualTo(rule), name);
            }
        }
    }

    [Test]
    public void Null_arguments_throw_ArgumentNullException()
    {
        var options = Relative(TimeSpan.FromMinutes(1));
        using (Assert.EnterMultipleScope())
        {
            Assert.Throws<ArgumentNullException>(() => _cache.Get(null!));
            Assert.Throws<ArgumentNullException>(() => _cache.Set("k", null!, options));
            Assert.Throws<ArgumentNullException>(() => _cache.Set("k", [1], null!));
            Assert.ThrowsAsync<ArgumentNullException>(() => _cache.RemoveAsync(null!));
        }
    }

    [Test]
    public async Task A_value_another_program_wrote_under_the_key_is_a_miss_and_left_alone()
    {
        // A key written by another program (no entry header) is a miss for us, never an exception.
        await Redis.StringSetAsync(RedisKeyOf("foreign"), new byte[] { 1, 2, 3 });
        Assert.That(await _cache.GetAsync("foreign"), Is.Null);
        Assert.That(await Redis.StringGetAsync(RedisKeyOf("foreign")), Is.EqualTo((RedisValue)new byte[] { 1, 2, 3 }));
    }
}
