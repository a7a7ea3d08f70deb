using System;
using System.Buffers;

namespace RedisCaching.Serialization.Tests.Support;

public static class Bytes
{
    /// <summary>Compressible, deterministic content (text-like, repeated with variation).</summary>
    public static byte[] Text(int length)
    {
        var bytes = new byte[length];
        const string words = "cache entry redis value compress frame order line item customer status shipped ";
        for (int i = 0; i < length; i++)
        {
            bytes[i] = (byte)words[(i * 7 + (i / 97)) % words.Length];
        }

        return bytes;
    }

    /// <summary>Incompressible, deterministic content.</summary>
    public static byte[] Random(int length, int seed = 42)
    {
        var bytes = new byte[length];
        new System.Random(seed).NextBytes(bytes);
        return bytes;
    }

    public static byte[] Compress(ICacheCompressor compressor, ReadOnlySpan<byte> source)
    {
        var writer = new ArrayBufferWriter<byte>();
        compressor.Compress(source, writer);
        return writer.WrittenSpan.ToArray();
    }
}
