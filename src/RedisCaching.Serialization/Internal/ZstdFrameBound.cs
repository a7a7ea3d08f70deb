using System;

namespace RedisCaching.Serialization.Internal;

/// <summary>
/// The most a zstd frame can decompress to, from its block headers alone (RFC 8878, 3.1.1.2): a raw or RLE block
/// regenerates exactly its Block_Size, a compressed block at most Block_Maximum_Size (the window, at most 128 KiB). The
/// declared content size is a claim; this is what the bytes present can really produce. A frame that declares more is
/// corrupt, and is refused before the declared size is allocated: a 17-byte frame claiming 64 MiB costs nothing.
/// </summary>
internal static class ZstdFrameBound
{
    private const int BlockHeaderSize = 3;
    private const uint RleBlock = 1;
    private const uint CompressedBlock = 2;

    /// <summary>Walks the blocks after the frame header.</summary>
    /// <param name="frame">The whole frame.</param>
    /// <param name="headerSize">The frame header's size, magic number included (zstd's <c>headerSize</c>).</param>
    /// <param name="blockSizeMax">The frame's Block_Maximum_Size (zstd's <c>blockSizeMax</c>).</param>
    /// <param name="bound">The most the blocks can regenerate.</param>
    /// <returns>False when the blocks do not hold together: cut short, a reserved block type, a block over the maximum.</returns>
    public static bool TryMaxContentSize(ReadOnlySpan<byte> frame, int headerSize, uint blockSizeMax, out ulong bound)
    {
        bound = 0;
        var offset = headerSize;
        while (true)
        {
            if (offset < 0 || frame.Length - offset < BlockHeaderSize)
            {
                return false;
            }

            var header = frame[offset] | ((uint)frame[offset + 1] << 8) | ((uint)frame[offset + 2] << 16);
            offset += BlockHeaderSize;
            var last = (header & 1) != 0;
            var type = (header >> 1) & 3;
            var size = header >> 3;
            if (type > CompressedBlock || size > blockSizeMax)
            {
                return false;
            }

            var stored = type == RleBlock ? 1u : size;
            bound += type == CompressedBlock ? blockSizeMax : size;
            if ((uint)(frame.Length - offset) < stored)
            {
                return false;
            }

            offset += (int)stored;
            if (last)
            {
                return true;
            }
        }
    }
}
