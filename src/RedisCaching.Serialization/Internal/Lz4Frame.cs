using System;
using System.Buffers;
using System.Buffers.Binary;
using System.IO.Hashing;
using K4os.Compression.LZ4;

namespace RedisCaching.Serialization.Internal;

/// <summary>
/// Writes the standard LZ4 frame (the format of the <c>lz4</c> tool and every LZ4 library), over K4os's block codec:
/// <code>
/// magic     4 bytes  0x184D2204, little-endian
/// FLG       1 byte   version 01, independent blocks, content size present, content checksum present (0x6C)
/// BD        1 byte   block maximum size 64 KiB (0x40)
/// size      8 bytes  content size, little-endian
/// HC        1 byte   (xxHash32(FLG..size) &gt;&gt; 8) &amp; 0xFF
/// blocks    4-byte little-endian length (high bit set: stored uncompressed) + data, each at most 64 KiB of content
/// end mark  4 bytes  0
/// checksum  4 bytes  xxHash32 of the content, little-endian
/// </code>
/// The content size lets a reader refuse an oversized entry before decompressing; the checksum turns a damaged
/// entry into a miss instead of garbage. <see cref="Lz4FrameDecoder"/> reads this and the other variants of the format.
/// </summary>
internal static class Lz4Frame
{
    public const uint Magic = 0x184D2204;
    public const int BlockSize = 64 * 1024;
    public const int HeaderLength = 15;
    private const byte Flags = 0x40 | 0x20 | 0x08 | 0x04;
    private const byte BlockDescriptor = 4 << 4;
    private const uint UncompressedBit = 0x8000_0000;

    /// <summary>Writes <paramref name="source"/> to <paramref name="destination"/> as one frame.</summary>
    public static void Encode(ReadOnlySpan<byte> source, IBufferWriter<byte> destination, LZ4Level level)
    {
        Span<byte> header = destination.GetSpan(HeaderLength);
        BinaryPrimitives.WriteUInt32LittleEndian(header, Magic);
        header[4] = Flags;
        header[5] = BlockDescriptor;
        BinaryPrimitives.WriteUInt64LittleEndian(header[6..], (ulong)source.Length);
        header[14] = HeaderChecksum(header[4..14]);
        destination.Advance(HeaderLength);

        for (int offset = 0; offset < source.Length; offset += BlockSize)
        {
            ReadOnlySpan<byte> block = source.Slice(offset, Math.Min(BlockSize, source.Length - offset));
            Span<byte> target = destination.GetSpan(4 + LZ4Codec.MaximumOutputSize(block.Length));
            int compressed = LZ4Codec.Encode(block, target[4..], level);
            if (compressed > 0 && compressed < block.Length)
            {
                BinaryPrimitives.WriteUInt32LittleEndian(target, (uint)compressed);
                destination.Advance(4 + compressed);
            }
            else
            {
                // Incompressible: the format stores it as it is, so a block never grows by more than its 4-byte length.
                BinaryPrimitives.WriteUInt32LittleEndian(target, (uint)block.Length | UncompressedBit);
                block.CopyTo(target[4..]);
                destination.Advance(4 + block.Length);
            }
        }

        Span<byte> trailer = destination.GetSpan(8);
        BinaryPrimitives.WriteUInt32LittleEndian(trailer, 0);
        BinaryPrimitives.WriteUInt32LittleEndian(trailer[4..], XxHash32.HashToUInt32(source));
        destination.Advance(8);
    }

    /// <summary>The frame descriptor's check byte: the second byte of xxHash32 over the descriptor.</summary>
    public static byte HeaderChecksum(ReadOnlySpan<byte> descriptor) => (byte)(XxHash32.HashToUInt32(descriptor) >> 8);
}
