using System;
using System.Buffers;
using System.Globalization;
using System.IO.Compression;
using System.Text;
using NUnit.Framework;
using RedisCaching.Internal.Codecs;
using RedisCaching.Internal.Envelope;

namespace RedisCaching.Core.Tests.Payload;

/// <summary>The built-in codecs (brotli, gzip, zlib) against bombs and mutated frames, without Redis.</summary>
public class BuiltInCodecTests
{
    private static ICacheCompressor Codec(string name) => name switch
    {
        "brotli" => new BrotliCacheCompressor(CompressionLevel.Fastest),
        "gzip" => DeflateFamilyCompressor.GZip(CompressionLevel.Fastest),
        _ => DeflateFamilyCompressor.ZLib(CompressionLevel.Fastest),
    };

    /// <summary>
    /// The codecs ask for "room + 1" to notice a frame that goes past the limit; a writer that grew by doubling (and
    /// the pool's rounding to a power of two) then took twice the limit, plus the old buffer, for an entry that is
    /// refused. The engine's decompression buffer stops at the limit plus that byte.
    /// </summary>
    [TestCase("brotli")]
    [TestCase("gzip")]
    [TestCase("zlib")]
    public void A_bomb_never_makes_the_engine_buffer_grow_past_the_limit(string name)
    {
        const int limit = 1024 * 1024;
        var codec = Codec(name);
        var frame = new ArrayBufferWriter<byte>();
        codec.Compress(new byte[16 * limit], frame);
        using var destination = PooledBufferWriter.ForDecompression(frame.WrittenCount, limit);

        var result = codec.Decompress(frame.WrittenSpan, destination, limit);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(result, Is.EqualTo(DecompressionResult.TooLarge));
            Assert.That(destination.Capacity, Is.LessThanOrEqualTo(limit + 1), $"{frame.WrittenCount} B frame, limit {limit} B, buffer grew to {destination.Capacity} B");
        }
    }

    /// <summary>A frame that decompresses to exactly the limit still fits the bounded buffer.</summary>
    [TestCase("brotli")]
    [TestCase("gzip")]
    [TestCase("zlib")]
    public void Content_of_exactly_the_limit_fits_the_bounded_buffer(string name)
    {
        const int limit = 300_000;
        var codec = Codec(name);
        var content = Encoding.UTF8.GetBytes(new string('a', limit));
        var frame = new ArrayBufferWriter<byte>();
        codec.Compress(content, frame);
        using var destination = PooledBufferWriter.ForDecompression(frame.WrittenCount, limit);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(codec.Decompress(frame.WrittenSpan, destination, limit), Is.EqualTo(DecompressionResult.Done));
            Assert.That(destination.WrittenMemory.Span.SequenceEqual(content), Is.True);
        }
    }

    [TestCase("", 1u)]
    [TestCase("a", 0x00620062u)]
    [TestCase("Wikipedia", 0x11E60398u)]
    public void Adler32_matches_the_rfc_1950_checksum(string text, uint expected)
    {
        var checksum = new Adler32();
        checksum.Append(Encoding.ASCII.GetBytes(text));
        Assert.That(checksum.Value, Is.EqualTo(expected));
    }

    [Test]
    public void Adler32_over_long_input_in_pieces_matches_zlib()
    {
        // zlib's own trailer is the reference: the last four bytes of a frame .NET wrote, big-endian.
        var data = new byte[300_000];
        new Random(3).NextBytes(data);
        var frame = new ArrayBufferWriter<byte>();
        Codec("zlib").Compress(data, frame);
        var checksum = new Adler32();
        checksum.Append(data.AsSpan(0, 7));
        checksum.Append(data.AsSpan(7, 100_000));
        checksum.Append(data.AsSpan(100_007));
        Assert.That(checksum.Value, Is.EqualTo(System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(frame.WrittenSpan[^4..])));
    }

    /// <summary>Mutated frames: never an exception; gzip and zlib carry checksums, so never other bytes either.</summary>
    [TestCase("brotli")]
    [TestCase("gzip")]
    [TestCase("zlib")]
    public void Mutated_frames_never_throw_and_checksummed_ones_never_decode_to_other_bytes(string name)
    {
        var codec = Codec(name);
        var random = new Random(10);
        var text = new StringBuilder();
        for (var i = 0; i < 20000; i++)
        {
            text.Append("item ").Append(random.Next(500)).Append(';');
        }

        var original = Encoding.UTF8.GetBytes(text.ToString());
        var frame = new ArrayBufferWriter<byte>();
        codec.Compress(original, frame);
        var bytes = frame.WrittenSpan.ToArray();
        var problems = new StringBuilder();
        for (var round = 0; round < 5000 && problems.Length < 2000; round++)
        {
            var mutated = (byte[])bytes.Clone();
            if (round % 2 == 0)
            {
                mutated[random.Next(mutated.Length)] ^= (byte)(1 << random.Next(8));
            }
            else
            {
                mutated = mutated[..random.Next(mutated.Length)];
            }

            var output = new ArrayBufferWriter<byte>();
            try
            {
                var result = codec.Decompress(mutated, output, 1024 * 1024);
                if (name != "brotli" && result == DecompressionResult.Done && !output.WrittenSpan.SequenceEqual(original))
                {
                    problems.AppendLine(CultureInfo.InvariantCulture, $"round {round} ({(round % 2 == 0 ? "bit flip" : $"cut to {mutated.Length} of {bytes.Length} B")}): Done with {output.WrittenCount} B that are not the original {original.Length} B");
                }
            }
            catch (Exception ex)
            {
                problems.AppendLine(CultureInfo.InvariantCulture, $"round {round}: {ex.GetType().Name}: {ex.Message}");
            }
        }

        Assert.That(problems.ToString(), Is.Empty);
    }
}
