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

    public static DecompressionResult ReadAll(Stream decompressing, IBufferWriter<byte> destination, int maxDecompressedLength, out int total)
    {
        total = 0;
        try
        {
            while (true)
            {
                var room = (int)Math.Min(ChunkSize, (long)maxDecompressedLength - total + 1);
                var span = destination.GetSpan(room)[..room];
                var read = decompressing.Read(span);
                if (read == 0)
                {
                    return DecompressionResult.Done;
                }

                total += read;
                if (total > maxDecompressedLength)
                {
                    return DecompressionResult.TooLarge;
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
