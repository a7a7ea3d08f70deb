using System;
using System.Buffers;
using System.IO;
using System.IO.Compression;

namespace RedisCaching.Internal.Codecs;

/// <summary>
/// gzip (RFC 1952) and zlib (RFC 1950) from .NET. Both exist only as streams, so the source is copied into pooled
/// memory to read it through one. gzip's trailer records the size and zlib's the Adler-32 of the data; both are
/// checked against what came out, so a truncated frame is a miss.
/// </summary>
internal sealed class DeflateFamilyCompressor : ICacheCompressor
{
    public const byte GZipId = 2;
    public const byte ZLibId = 3;
    private readonly CompressionLevel _level;
    private readonly bool _gzip;

    private DeflateFamilyCompressor(bool gzip, CompressionLevel level)
    {
        _gzip = gzip;
        _level = level;
    }

    public byte Id => _gzip ? GZipId : ZLibId;

    public string Name => _gzip ? "gzip" : "zlib";

    public static DeflateFamilyCompressor GZip(CompressionLevel level) => new(gzip: true, level);

    public static DeflateFamilyCompressor ZLib(CompressionLevel level) => new(gzip: false, level);

    public void Compress(ReadOnlySpan<byte> source, IBufferWriter<byte> destination)
    {
        using var output = new BufferWriterStream(destination);
        using Stream compressor = _gzip ? new GZipStream(output, _level, leaveOpen: true) : new ZLibStream(output, _level, leaveOpen: true);
        compressor.Write(source);
    }

    public DecompressionResult Decompress(ReadOnlySpan<byte> source, IBufferWriter<byte> destination, int maxDecompressedLength)
    {
        ArgumentNullException.ThrowIfNull(destination);
        var copy = ArrayPool<byte>.Shared.Rent(Math.Max(source.Length, 1));
        try
        {
            source.CopyTo(copy);
            using var input = new MemoryStream(copy, 0, source.Length, writable: false);
            using Stream decompressor = _gzip ? new GZipStream(input, CompressionMode.Decompress) : new ZLibStream(input, CompressionMode.Decompress);
            uint adler32 = 0;
            var result = _gzip
                ? BoundedDecompression.ReadAll(decompressor, destination, maxDecompressedLength, out var written)
                : BoundedDecompression.ReadAllWithAdler32(decompressor, destination, maxDecompressedLength, out written, out adler32);
            if (result != DecompressionResult.Done)
            {
                return result;
            }

            // Whatever follows the frame, a gzip size or a zlib checksum that disagrees with what came out means a
            // damaged entry. .NET's zlib reader ends a frame cut short quietly (it does not say whether it reached the
            // trailer), so the trailer is checked here: a cut frame ends in deflate data, which matches the checksum of
            // what came out only by a 1 in 2^32 chance.
            var intact = _gzip ? SizeMatches(source, written) : ChecksumMatches(source, adler32);
            if (input.Position != source.Length || !intact)
            {
                return DecompressionResult.Corrupt;
            }

            return DecompressionResult.Done;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(copy);
        }
    }

    /// <summary>zlib's last four bytes: the Adler-32 of the uncompressed data, big-endian (RFC 1950, ADLER32); 2 header bytes come first.</summary>
    private static bool ChecksumMatches(ReadOnlySpan<byte> frame, uint adler32) =>
        frame.Length >= 6 && System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(frame[^4..]) == adler32;

    /// <summary>gzip's last four bytes: the uncompressed size modulo 2^32 (RFC 1952, ISIZE).</summary>
    private static bool SizeMatches(ReadOnlySpan<byte> frame, int written) =>
        frame.Length >= 18 && System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(frame[^4..]) == (uint)written;
}
