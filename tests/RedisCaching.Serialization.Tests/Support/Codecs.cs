using System;

namespace RedisCaching.Serialization.Tests.Support;

/// <summary>The codecs under test, by name, so tests run once per codec.</summary>
public static class Codecs
{
    public static readonly string[] Names = [ZstdCacheCompressor.CodecName, Lz4CacheCompressor.CodecName];

    private static readonly ZstdCacheCompressor Zstd = new();
    private static readonly Lz4CacheCompressor Lz4 = new();

    public static ICacheCompressor Get(string name) => name switch
    {
        ZstdCacheCompressor.CodecName => Zstd,
        Lz4CacheCompressor.CodecName => Lz4,
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, "unknown codec"),
    };

    /// <summary>The first four bytes of every frame, little-endian (RFC 8878 for zstd, the LZ4 frame format for lz4).</summary>
    public static uint Magic(string name) => name == ZstdCacheCompressor.CodecName ? 0xFD2FB528u : 0x184D2204u;
}
