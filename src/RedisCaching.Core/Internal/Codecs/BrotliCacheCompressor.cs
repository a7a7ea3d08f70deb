using System;
using System.Buffers;
using System.IO.Compression;

namespace RedisCaching.Internal.Codecs;

/// <summary>Brotli from .NET (a standard brotli stream), through the span-based encoder and decoder: no stream objects.</summary>
internal sealed class BrotliCacheCompressor(CompressionLevel level) : ICacheCompressor
{
    public const byte CodecId = 1;
    private const int Window = 22;
    private readonly int _quality = level switch
    {
        CompressionLevel.NoCompression => 0,
        CompressionLevel.Fastest => 1,
        CompressionLevel.SmallestSize => 11,
        _ => 4,
    };

    public byte Id => CodecId;

    public string Name => "brotli";

    public void Compress(ReadOnlySpan<byte> source, IBufferWriter<byte> destination)
    {
        ArgumentNullException.ThrowIfNull(destination);
        var span = destination.GetSpan(BrotliEncoder.GetMaxCompressedLength(source.Length));
        if (!BrotliEncoder.TryCompress(source, span, out var written, _quality, Window))
        {
            throw new InvalidOperationException("Brotli could not compress into a buffer of its own maximum size.");
        }

        destination.Advance(written);
    }

    public DecompressionResult Decompress(ReadOnlySpan<byte> source, IBufferWriter<byte> destination, int maxDecompressedLength)
    {
        ArgumentNullException.ThrowIfNull(destination);
        using var decoder = new BrotliDecoder();
        var total = 0;
        while (true)
        {
            // Never ask for more than the limit allows (plus one byte to notice a frame that goes beyond it).
            var room = (int)Math.Min(BoundedDecompression.ChunkSize, (long)maxDecompressedLength - total + 1);
            var span = destination.GetSpan(room)[..room];
            var status = decoder.Decompress(source, span, out var consumed, out var written);
            source = source[consumed..];
            total += written;
            if (total > maxDecompressedLength)
            {
                return DecompressionResult.TooLarge;
            }

            destination.Advance(written);
            switch (status)
            {
                case OperationStatus.Done:
                    return source.IsEmpty ? DecompressionResult.Done : DecompressionResult.Corrupt;
                case OperationStatus.DestinationTooSmall:
                    continue;
                default:
                    // NeedMoreData: the frame is truncated; InvalidData: it is not brotli.
                    return DecompressionResult.Corrupt;
            }
        }
    }
}
