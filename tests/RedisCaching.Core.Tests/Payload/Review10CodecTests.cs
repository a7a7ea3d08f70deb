using System;
using System.Buffers;
using System.Globalization;
using System.IO.Compression;
using System.Reflection;
using System.Text;
using NUnit.Framework;
using RedisCaching.Internal.Codecs;
using RedisCaching.Internal.Envelope;

namespace RedisCaching.Core.Tests.Payload;

/// <summary>Review of issue 10: the built-in codecs against mutated frames and bombs, without Redis.</summary>
public class Review10CodecTests
{
    private static ICacheCompressor Codec(string name) => name switch
    {
        "brotli" => new BrotliCacheCompressor(CompressionLevel.Fastest),
        "gzip" => DeflateFamilyCompressor.GZip(CompressionLevel.Fastest),
        _ => DeflateFamilyCompressor.ZLib(CompressionLevel.Fastest),
    };

    /// <summary>
    /// The engine decompresses into <c>new PooledBufferWriter(min(frame * 4, limit))</c>. The bounded readers ask for
    /// "room + 1" to notice a frame that goes past the limit, and PooledBufferWriter grows by doubling, so a bomb that
    /// just passes the limit makes the writer rent a buffer of twice the limit (while still holding the old one):
    /// about 3x MaxDecompressedBytes taken for an entry that is then refused.
    /// </summary>
    [TestCase("brotli")]
    [TestCase("gzip")]
    [TestCase("zlib")]
    public void A_bomb_never_makes_the_engine_buffer_grow_past_the_limit(string name)
    {
        const int limit = 8 * 1024 * 1024;
        var codec = Codec(name);
        var frame = new ArrayBufferWriter<byte>();
        codec.Compress(new byte[64 * 1024 * 1024], frame);
        using var destination = PooledBufferWriter.ForDecompression(frame.WrittenCount, limit);

        var result = codec.Decompress(frame.WrittenSpan, destination, limit);

        var buffer = (byte[])typeof(PooledBufferWriter).GetField("_buffer", BindingFlags.NonPublic | BindingFlags.Instance)!.GetValue(destination)!;
        using (Assert.EnterMultipleScope())
        {
            Assert.That(result, Is.EqualTo(DecompressionResult.TooLarge));
            Assert.That(buffer.Length, Is.LessThanOrEqualTo(limit + BoundedDecompression.ChunkSize), $"{frame.WrittenCount} B frame, limit {limit} B, buffer grew to {buffer.Length} B");
        }
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
