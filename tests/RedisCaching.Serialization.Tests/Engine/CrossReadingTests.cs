using System;
using System.Collections.Generic;
using System.IO;
using System.Text.Json;
using System.Threading.Tasks;
using Microsoft.Extensions.DependencyInjection;
using NUnit.Framework;
using RedisCaching.Serialization.Encryption;
using RedisCaching.Serialization.Tests.Shapes;

namespace RedisCaching.Serialization.Tests.Engine;

/// <summary>
/// Entries read through other choices than they were written with, and entries changed in Redis, with the real
/// formats, codecs and AES-GCM: a miss (or, for a codec, the documented correct read), never garbage or an exception.
/// </summary>
public class CrossReadingTests : EngineFixture
{
    private static readonly CacheEntryOptions Json = new() { Serializer = "json" };
    private static readonly CacheEntryOptions MessagePack = new() { Serializer = "messagepack" };

    [Test]
    public async Task An_entry_in_one_format_is_a_miss_through_the_other()
    {
        await using var provider = BuildCache("x" + Guid.NewGuid().ToString("N")[..8]);
        var cache = provider.GetRequiredService<ICache>();
        await cache.SetAsync("packed", Orders.Medium(), MessagePack);
        await cache.SetAsync("text", Orders.Medium(), Json);
        using (Assert.EnterMultipleScope())
        {
            Assert.That((await cache.TryGetAsync<Order>("packed", Json)).HasValue, Is.False);
            Assert.That((await cache.TryGetAsync<Order>("text", MessagePack)).HasValue, Is.False);
            Assert.That((await cache.TryGetAsync<Order>("packed", MessagePack)).HasValue, Is.True);
        }
    }

    [Test]
    public async Task A_reader_decompresses_whatever_codec_the_entry_records()
    {
        await using var provider = BuildCache("x" + Guid.NewGuid().ToString("N")[..8]);
        var cache = provider.GetRequiredService<ICache>();
        await cache.SetAsync("doc", Orders.Large(), new CacheEntryOptions { Compression = "zstd" });
        var read = await cache.TryGetAsync<Order>("doc", new CacheEntryOptions { Compression = "lz4" });
        Assert.That(JsonSerializer.Serialize(read.Value), Is.EqualTo(JsonSerializer.Serialize(Orders.Large())));
    }

    [Test]
    public async Task An_encrypted_entry_moved_retagged_or_read_without_its_key_is_a_miss()
    {
        var golden = await File.ReadAllBytesAsync(Path.Combine(TestContext.CurrentContext.TestDirectory, "Golden", "combinations", "order-json-zstd-aesgcm.bin"));
        var secret = new CacheEntryOptions { Encrypt = true };
        await using var provider = BuildCache(CombinationGoldenTests.Prefix);
        var cache = provider.GetRequiredService<ICache>();

        await PutRawAsync($"{CombinationGoldenTests.Prefix}:order-json-zstd-aesgcm", golden);
        await PutRawAsync($"{CombinationGoldenTests.Prefix}:moved", golden);
        var otherCodec = (byte[])golden.Clone();
        otherCodec[6] = 5;    // claims lz4: the header is authenticated
        await PutRawAsync($"{CombinationGoldenTests.Prefix}:recoded", otherCodec);
        var otherKey = (byte[])golden.Clone();
        otherKey[7] = 2;      // key id 2, which this ring also holds
        await PutRawAsync($"{CombinationGoldenTests.Prefix}:rekeyed", otherKey);

        await using var withoutKeyOne = BuildCache(CombinationGoldenTests.Prefix, new CacheEncryptionKeySet(2, new Dictionary<ushort, byte[]> { [2] = Encryption.TestKeys.Key(2) }));
        using (Assert.EnterMultipleScope())
        {
            Assert.That((await cache.TryGetAsync<Order>("order-json-zstd-aesgcm", secret)).HasValue, Is.True, "the untouched entry reads");
            Assert.That((await cache.TryGetAsync<Order>("moved", secret)).HasValue, Is.False, "the Redis key is authenticated");
            Assert.That((await cache.TryGetAsync<Order>("recoded", secret)).HasValue, Is.False);
            Assert.That((await cache.TryGetAsync<Order>("rekeyed", secret)).HasValue, Is.False);
            Assert.That((await withoutKeyOne.GetRequiredService<ICache>().TryGetAsync<Order>("order-json-zstd-aesgcm", secret)).HasValue, Is.False, "a ring without key 1");
        }
    }
}
