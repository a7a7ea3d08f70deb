using System;
using System.Buffers;
using System.Collections.Generic;
using System.Net;
using System.Security.Cryptography;
using System.Text.Json;
using System.Threading.Tasks;
using MessagePack.Resolvers;
using Microsoft.Extensions.DependencyInjection;
using RedisCaching.Benchmarks.Peers;
using RedisCaching.Benchmarks.Serialization;
using RedisCaching.Serialization;
using RedisCaching.Serialization.Encryption;

namespace RedisCaching.Benchmarks.PayloadPath;

/// <summary>
/// What the payload-path suites share: an <see cref="ICache"/> with every format, codec and the encryptor registered,
/// the raw path's serializers (the same serializer objects the cache uses, so raw vs cache differs only by the
/// envelope and the engine), and the per-entry options of each combination.
/// </summary>
internal static class PayloadPathSetup
{
    /// <summary>Entry lifetime on both paths: the raw SET carries the same TTL as a cache entry would.</summary>
    public static readonly TimeSpan Expiration = PeerDefaults.Duration;

    /// <summary>The MessagePack settings of both paths: attributed contracts (<see cref="Order"/>), untrusted-data security.</summary>
    public static readonly MessagePackCacheOptions MessagePackOptions = new() { Resolver = StandardResolver.Instance };

    /// <summary>Core's System.Text.Json serializer over the source-generated <see cref="OrderJsonContext"/>.</summary>
    public static ICacheSerializer<Order> Json => Payloads.Json;

    public static readonly ICacheSerializer<Order> MessagePack =
        new MessagePackCacheSerializerProvider(MessagePackOptions).GetSerializer<Order>();

    public static ICacheSerializer<Order> RawSerializer(string serializer) => serializer switch
    {
        "json" => Json,
        MessagePackCacheSerializerProvider.FormatName => MessagePack,
        _ => throw new ArgumentOutOfRangeException(nameof(serializer), serializer, "json or messagepack"),
    };

    /// <summary>One combination, memory tier bypassed on write and read (every read decodes the Redis entry).</summary>
    public static CacheEntryOptions Options(string serializer, string compression, bool encrypt) => new()
    {
        Serializer = serializer,
        Compression = compression,
        Encrypt = encrypt,
        Skip = CacheSkip.Memory,
    };

    /// <summary>
    /// <c>AddRedisCaching</c> as an app would configure it: defaults (memory tier on, Tracking coherence, compression
    /// threshold 1 KiB, savings 10%, BCL codecs at <c>Fastest</c>, zstd level 3, LZ4 fast) except that Redis failures throw
    /// instead of being skipped (2 s budget), a 10-minute lifetime, the
    /// source-generated JSON context, MessagePack, zstd, LZ4 and AES-256-GCM with one random key.
    /// </summary>
    public static async Task<ServiceProvider> CreateCacheAsync(IPEndPoint endpoint, string clientName)
    {
        var services = new ServiceCollection();
        services.AddRedisCaching(o =>
        {
            o.Redis.Host = endpoint.Address.ToString();
            o.Redis.Port = endpoint.Port;
            o.Redis.ClientName = clientName;

            // A prefix of its own: every instance tracks its prefix (BCAST), so caches sharing one would each receive
            // an invalidation for every write of the others. The payload-path mode holds four caches in one process;
            // with one shared prefix their rows were charged ~500 B and CPU per write for the other three's pushes.
            o.Keys.Prefix = "ppbench" + Guid.NewGuid().ToString("N")[..8];

            // A Redis timeout or failure would otherwise be a silent skip (a miss, a dropped write) that looks fast, and
            // then the circuit breaker skips Redis altogether. The budget is 2 s instead of 250 ms so that a stall of this
            // shared box fails no case: the measured path is the same, only its deadline is further away.
            o.ThrowOnRedisFailure = true;
            o.RedisTimeout = TimeSpan.FromSeconds(2);
            o.DefaultEntryOptions = new CacheEntryOptions { Expiration = Expiration };
            o.JsonSerializerOptions = new JsonSerializerOptions { TypeInfoResolver = OrderJsonContext.Default };
        })
        .WithoutEnvironmentVariables()
        .AddMessagePackSerializer(StandardResolver.Instance)
        .AddZstdCompression()
        .AddLz4Compression()
        .AddValueEncryption(new CacheEncryptionKeySet(1, new Dictionary<ushort, byte[]> { [1] = RandomNumberGenerator.GetBytes(CacheEncryptionKeySet.KeySizeInBytes) }));
        ServiceProvider provider = services.BuildServiceProvider();
        try
        {
            // The memory tier becomes coherent (CLIENT TRACKING) asynchronously after the first use (as in the peer suites).
            await provider.GetRequiredService<ICache>().ExistsAsync("bench:warmup");
            await Task.Delay(TimeSpan.FromMilliseconds(250));
            return provider;
        }
        catch
        {
            await provider.DisposeAsync();
            throw;
        }
    }

    /// <summary>True when both orders serialize to the same JSON (the round trip kept every member).</summary>
    public static bool SameOrder(Order expected, Order actual)
    {
        var a = new ArrayBufferWriter<byte>();
        var b = new ArrayBufferWriter<byte>();
        Json.Serialize(expected, a);
        Json.Serialize(actual, b);
        return a.WrittenSpan.SequenceEqual(b.WrittenSpan);
    }
}
