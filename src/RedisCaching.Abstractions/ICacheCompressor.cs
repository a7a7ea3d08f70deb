using System;
using System.Buffers;

namespace RedisCaching;

/// <summary>
/// A compression codec the cache can record in an entry's envelope. Codecs write their standard frame (gzip, zlib,
/// brotli, zstd, LZ4 frame), so any implementation of the format can read what they wrote.
/// </summary>
public interface ICacheCompressor
{
    /// <summary>
    /// The id recorded in every entry this codec compressed (0 means "not compressed"). Never reuse an id for another
    /// codec. RedisCaching's codecs use 1-63; an app's own codecs use 64-255.
    /// </summary>
    byte Id { get; }

    /// <summary>The name profiles and entries use to choose this codec (e.g. <c>zstd</c>); compared case-insensitively.</summary>
    string Name { get; }

    /// <summary>Compresses <paramref name="source"/> into <paramref name="destination"/> as one complete frame.</summary>
    /// <param name="source">The bytes to compress.</param>
    /// <param name="destination">Where the frame goes.</param>
    void Compress(ReadOnlySpan<byte> source, IBufferWriter<byte> destination);

    /// <summary>
    /// Decompresses one frame into <paramref name="destination"/>, writing at most <paramref name="maxDecompressedLength"/>
    /// bytes: a frame that would produce more is abandoned before the excess is allocated (a decompression bomb is a
    /// miss, never an out-of-memory). Never throws for bad input.
    /// </summary>
    /// <param name="source">The frame.</param>
    /// <param name="destination">Where the decompressed bytes go.</param>
    /// <param name="maxDecompressedLength">The most bytes the frame may produce.</param>
    /// <returns>What happened; on anything but <see cref="DecompressionResult.Done"/> the destination holds garbage.</returns>
    DecompressionResult Decompress(ReadOnlySpan<byte> source, IBufferWriter<byte> destination, int maxDecompressedLength);
}
