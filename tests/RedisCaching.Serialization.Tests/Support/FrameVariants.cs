using System;
using System.Buffers.Binary;
using System.IO.Hashing;
using ZstdSharp;
using ZstdSharp.Unsafe;

namespace RedisCaching.Serialization.Tests.Support;

/// <summary>Valid frames other writers produce: without a declared content size (streaming writers).</summary>
public static class FrameVariants
{
    /// <summary>A zstd frame without the content size, as a streaming compressor writes it (window 1 MiB unless given).</summary>
    public static byte[] ZstdWithoutContentSize(ReadOnlySpan<byte> content, int windowLog = 20)
    {
        using var compressor = new Compressor(3);
        compressor.SetParameter(ZSTD_cParameter.ZSTD_c_contentSizeFlag, 0);
        compressor.SetParameter(ZSTD_cParameter.ZSTD_c_windowLog, windowLog);
        return compressor.Wrap(content).ToArray();
    }

    /// <summary>Our LZ4 frame with the content size removed from its descriptor (and the header checksum redone).</summary>
    public static byte[] Lz4WithoutContentSize(byte[] frame)
    {
        byte[] result = new byte[frame.Length - 8];
        BinaryPrimitives.WriteUInt32LittleEndian(result, 0x184D2204);
        result[4] = (byte)(frame[4] & ~0x08);
        result[5] = frame[5];
        result[6] = (byte)(XxHash32.HashToUInt32(result.AsSpan(4, 2)) >> 8);
        frame.AsSpan(15).CopyTo(result.AsSpan(7));
        return result;
    }
}
