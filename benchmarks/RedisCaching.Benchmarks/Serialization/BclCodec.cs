using System;
using System.Buffers;
using System.IO;
using System.IO.Compression;

namespace RedisCaching.Benchmarks.Serialization;

/// <summary>
/// Brotli, gzip and zlib straight from System.IO.Compression at their <see cref="CompressionLevel.Optimal"/> defaults
/// (brotli quality 4, gzip/zlib level 6), as a baseline for the Serialization package's codecs. Benchmark-only code.
/// </summary>
internal sealed class BclCodec(string name)
{
    private readonly MemoryStream _buffer = new();

    public string Name { get; } = name;

    public void Compress(ReadOnlySpan<byte> source, ArrayBufferWriter<byte> destination)
    {
        if (Name == "brotli")
        {
            Span<byte> target = destination.GetSpan(BrotliEncoder.GetMaxCompressedLength(source.Length));
            BrotliEncoder.TryCompress(source, target, out int written, quality: 4, window: 22);
            destination.Advance(written);
            return;
        }

        _buffer.SetLength(0);
        using (Stream stream = Name == "gzip"
            ? new GZipStream(_buffer, CompressionLevel.Optimal, leaveOpen: true)
            : new ZLibStream(_buffer, CompressionLevel.Optimal, leaveOpen: true))
        {
            stream.Write(source);
        }

        destination.Write(_buffer.GetBuffer().AsSpan(0, (int)_buffer.Length));
    }

    public void Decompress(byte[] frame, ArrayBufferWriter<byte> destination, int length)
    {
        Span<byte> target = destination.GetSpan(length)[..length];
        if (Name == "brotli")
        {
            BrotliDecoder.TryDecompress(frame, target, out int written);
            destination.Advance(written);
            return;
        }

        using var input = new MemoryStream(frame, writable: false);
        using Stream stream = Name == "gzip"
            ? new GZipStream(input, CompressionMode.Decompress)
            : new ZLibStream(input, CompressionMode.Decompress);
        stream.ReadExactly(target);
        destination.Advance(length);
    }
}
