using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.DependencyInjection;
using NUnit.Framework;
using RedisCaching.Serialization.Encryption;
using RedisCaching.Serialization.Tests.Engine;
using RedisCaching.Testing;

namespace RedisCaching.Serialization.Tests.Encryption;

/// <summary>
/// Key ring changes between the cache reading the ring and using it. The encryptor works on immutable ring snapshots
/// swapped atomically, so a read never fails because the active key changed; a write whose chosen key left the ring
/// before it encrypted is built again with the key active then.
/// </summary>
public class KeyRingChangeTests : EngineFixture
{
    private static readonly CacheEntryOptions Secret = new() { Encrypt = true };

    private static string NewPrefix() => "k" + Guid.NewGuid().ToString("N")[..8];

    /// <summary>
    /// The rotation done in one step (activate key 2 and remove key 1 at once) lands between the cache choosing key 1
    /// and encrypting with it.
    /// </summary>
    [Test]
    public async Task A_write_whose_key_left_the_ring_before_it_encrypted_uses_the_key_active_now()
    {
        var prefix = NewPrefix();
        var keys = new ChangesAfterFirstRead(TestKeys.Set(1, 1), TestKeys.Set(2, 2));
        await using var provider = BuildCache(prefix, keys);
        var cache = provider.GetRequiredService<ICache>();

        await cache.SetAsync("doc", "sealed", Secret);

        var raw = await RawAsync($"{prefix}:doc");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(BitConverter.ToUInt16(raw, 7), Is.EqualTo(2), "recorded with the key active when it was encrypted");
            Assert.That((await cache.TryGetAsync<string>("doc", Secret)).Value, Is.EqualTo("sealed"));
        }
    }

    [Test]
    public async Task Reads_never_fail_while_the_active_key_changes_under_them()
    {
        var prefix = NewPrefix();
        var keys = new SwappableKeyProvider(TestKeys.Set(1, 1, 2));
        var logs = new ListLoggerProvider();
        await using var provider = BuildCache(prefix, keys, logs: logs);
        var cache = provider.GetRequiredService<ICache>();
        await cache.SetAsync("one", "first", Secret);
        keys.Publish(TestKeys.Set(2, 1, 2));
        await cache.SetAsync("two", "second", Secret);

        using var stop = new CancellationTokenSource();
        // A thread of its own, not the pool's: a loop that never yields holds a pool thread for good, and on two cores
        // the replies StackExchange.Redis completes on the pool then waited past its 1 s timeout (a CI failure).
        var flipper = Task.Factory.StartNew(
            () =>
            {
                for (var i = 0; !stop.IsCancellationRequested; i++)
                {
                    keys.Publish(TestKeys.Set((ushort)(1 + (i % 2)), 1, 2));
                }
            },
            CancellationToken.None,
            TaskCreationOptions.LongRunning,
            TaskScheduler.Default);
        var misses = new List<string>();
        var started = Stopwatch.StartNew();
        for (var i = 0; i < 300; i++)
        {
            foreach (var key in (string[])["one", "two"])
            {
                var before = started.Elapsed;
                var read = await cache.TryGetAsync<string>(key, Secret);
                if (!read.HasValue)
                {
                    // Says which path lost the value: a Redis failure (timeout, breaker), an entry that did not decrypt, or no key.
                    misses.Add(string.Create(CultureInfo.InvariantCulture, $"read {i} of {key}: miss after {(started.Elapsed - before).TotalMilliseconds:0} ms at {before.TotalMilliseconds:0} ms"));
                }
            }
        }

        await stop.CancelAsync();
        await flipper;
        var statistics = (cache as ICacheStatistics)?.GetStatistics();
        var warnings = logs.Entries.Where(static entry => !entry.Message.StartsWith("Value encryption keys", StringComparison.Ordinal)).Select(static entry => $"{entry.EventId}: {entry.Message}");
        Assert.That(
            misses,
            Is.Empty,
            $"Redis failures {statistics?.RedisFailures}, circuit {statistics?.CircuitState}; logged: {string.Join(" | ", warnings)}; exceptions: {string.Join(" | ", logs.Exceptions.Select(static e => e.Message))}");
    }

    /// <summary>Hands out one key set on the first read of <see cref="Current"/> and another from then on.</summary>
    private sealed class ChangesAfterFirstRead(CacheEncryptionKeySet first, CacheEncryptionKeySet then) : ICacheEncryptionKeyProvider
    {
        private int _reads;

        public CacheEncryptionKeySet Current => Interlocked.Increment(ref _reads) == 1 ? first : then;
    }
}
