using System;
using System.Buffers;
using System.IO;

namespace RedisCaching.Internal.Codecs;

/// <summary>
/// Reads a decompressing stream into a buffer writer in bounded chunks, so the output grows only as far as the data
/// really goes and stops one chunk past the limit at most: a decompression bomb costs a chunk, not its claimed size.
/// </summary>
internal static class BoundedDecompression
{
    public const int ChunkSize = 64 * 1024;

    public static DecompressionResult ReadAll(Stream decompressing, IBufferWriter<byte> destination, int maxDecompressedLength, out int total) =>
        Read(decompressing, destination, maxDecompressedLength, withChecksum: false, out total, out _);

    /// <summary>Like <see cref="ReadAll"/>, and computes the Adler-32 of what came out (zlib's trailer checksum).</summary>
    public static DecompressionResult ReadAllWithAdler32(Stream decompressing, IBufferWriter<byte> destination, int maxDecompressedLength, out int total, out uint adler32) =>
        Read(decompressing, destination, maxDecompressedLength, withChecksum: true, out total, out adler32);

    private static DecompressionResult Read(Stream decompressing, IBufferWriter<byte> destination, int maxDecompressedLength, bool withChecksum, out int total, out uint adler32)
    {
        total = 0;
        adler32 = 0;
        var checksum = new Adler32();
        try
        {
            while (true)
            {
                var room = (int)Math.Min(ChunkSize, (long)maxDecompressedLength - total + 1);
                var span = destination.GetSpan(room)[..room];
                var read = decompressing.Read(span);
                if (read == 0)
                {
                    adler32 = checksum.Value;
                    return DecompressionResult.Done;
                }

                total += read;
                if (total > maxDecompressedLength)
                {
                    return DecompressionResult.TooLarge;
                }

                if (withChecksum)
                {
                    checksum.Append(span[..read]);
                }

                destination.Advance(read);
            }
        }
        catch (InvalidDataException)
        {
            return DecompressionResult.Corrupt;
        }
    }
}
