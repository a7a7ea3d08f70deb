using System;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.DependencyInjection;
using NUnit.Framework;
using RedisCaching.Serialization.Encryption;
using RedisCaching.Serialization.Tests.Engine;

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
        await using var provider = BuildCache(prefix, keys);
        var cache = provider.GetRequiredService<ICache>();
        await cache.SetAsync("one", "first", Secret);
        keys.Publish(TestKeys.Set(2, 1, 2));
        await cache.SetAsync("two", "second", Secret);

        using var stop = new CancellationTokenSource();
        var flipper = Task.Run(() =>
        {
            for (var i = 0; !stop.IsCancellationRequested; i++)
            {
                keys.Publish(TestKeys.Set((ushort)(1 + (i % 2)), 1, 2));
            }
        });
        var misses = 0;
        for (var i = 0; i < 300; i++)
        {
            misses += (await cache.TryGetAsync<string>("one", Secret)).HasValue ? 0 : 1;
            misses += (await cache.TryGetAsync<string>("two", Secret)).HasValue ? 0 : 1;
        }

        await stop.CancelAsync();
        await flipper;
        Assert.That(misses, Is.Zero);
    }

    /// <summary>Hands out one key set on the first read of <see cref="Current"/> and another from then on.</summary>
    private sealed class ChangesAfterFirstRead(CacheEncryptionKeySet first, CacheEncryptionKeySet then) : ICacheEncryptionKeyProvider
    {
        private int _reads;

        public CacheEncryptionKeySet Current => Interlocked.Increment(ref _reads) == 1 ? first : then;
    }
}
