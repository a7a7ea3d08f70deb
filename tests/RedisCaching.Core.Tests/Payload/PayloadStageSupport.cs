using System;
using System.Threading.Tasks;
using RedisCaching.Internal.Codecs;
using RedisCaching.Internal.Engine;
using RedisCaching.Internal.Envelope;
using StackExchange.Redis;

namespace RedisCaching.Core.Tests.Payload;

/// <summary>Engines without a memory tier (every read goes to Redis) and raw access to what they stored.</summary>
internal static class PayloadStageSupport
{
    public static RedisCache Engine(RedisCachingOptions options, IRedisConnection connection, CodecSet? codecs = null) =>
        Cache.CacheTestSupport.CreateCache(options, connection, null, codecs);

    public static async Task<byte[]> RawAsync(IRedisConnection connection, RedisCache cache, string key) =>
        (byte[])(await (await connection.GetMultiplexerAsync()).GetDatabase().StringGetAsync(cache.RedisKeyOf(key)))!
        ?? throw new InvalidOperationException("The key is not in Redis.");

    public static async Task PutRawAsync(IRedisConnection connection, RedisCache cache, string key, byte[] bytes) =>
        await (await connection.GetMultiplexerAsync()).GetDatabase().StringSetAsync(cache.RedisKeyOf(key), bytes, TimeSpan.FromMinutes(5));

    /// <summary>The payload of an entry: what follows its header (the fixed part and whatever its flags add).</summary>
    public static ReadOnlySpan<byte> PayloadOf(byte[] raw) =>
        EnvelopeFormat.TryRead(raw, out _, out var payloadOffset) == EnvelopeReadStatus.Ok
            ? raw.AsSpan(payloadOffset)
            : throw new InvalidOperationException("Not a readable envelope.");

    public static byte CompressorIdOf(byte[] raw) => raw[EnvelopeFormat.CompressorIdOffset];

    public static ushort KeyIdOf(byte[] raw) => BitConverter.ToUInt16(raw, 7);

    /// <summary>A text that compresses well (JSON of it is well above the 1 KiB threshold).</summary>
    public static string CompressibleText(int length = 20_000)
    {
        var text = new System.Text.StringBuilder(length);
        var i = 0;
        while (text.Length < length)
        {
            text.Append("requirement ").Append(i++ % 97).Append(" is cached; ");
        }

        return text.ToString(0, length);
    }
}
