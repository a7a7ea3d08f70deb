using System;
using System.Buffers;
using NUnit.Framework;

namespace RedisCaching.Serialization.Tests.Review10;

/// <summary>
/// zstd's known-size path trusts the frame header: <c>destination.GetSpan(frameContentSize)</c> before one byte is
/// decoded. Any declared size up to MaxDecompressedBytes is taken at once, so a 16-byte entry in Redis makes every
/// read of it allocate the whole limit (64 MiB by default, fresh from the LOH once the pool's bucket is empty),
/// while gzip and brotli grow only as far as the data really goes. A real frame cannot expand by more than about
/// 32768:1 (one 128 KiB RLE block per 4 bytes), so the declared size could be checked against that first.
/// </summary>
public class ZstdDeclaredSizeTests
{
    [Test]
    public void A_tiny_frame_that_claims_the_limit_does_not_make_the_reader_take_it()
    {
        const int limit = 64 * 1024 * 1024;
        // magic | FHD: 8-byte content size, single segment | content size = 64 MiB | last RLE block of 1 byte: 'x'
        var frame = new byte[] { 0x28, 0xB5, 0x2F, 0xFD, 0xE0, 0, 0, 0, 4, 0, 0, 0, 0, 0x0B, 0, 0, (byte)'x' };
        var destination = new RecordingWriter();

        var result = new ZstdCacheCompressor().Decompress(frame, destination, limit);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(result, Is.EqualTo(DecompressionResult.Corrupt));
            Assert.That(destination.LargestRequest, Is.LessThanOrEqualTo(frame.Length * 32768L), $"a {frame.Length} B frame made the codec ask for {destination.LargestRequest} B");
        }
    }

    private sealed class RecordingWriter : IBufferWriter<byte>
    {
        private readonly ArrayBufferWriter<byte> _inner = new();

        public long LargestRequest { get; private set; }

        public void Advance(int count) => _inner.Advance(count);

        public Memory<byte> GetMemory(int sizeHint = 0)
        {
            LargestRequest = Math.Max(LargestRequest, sizeHint);
            return _inner.GetMemory(sizeHint);
        }

        public Span<byte> GetSpan(int sizeHint = 0)
        {
            LargestRequest = Math.Max(LargestRequest, sizeHint);
            return _inner.GetSpan(sizeHint);
        }
    }
}
