using System;
using System.Buffers;
using System.Collections.Generic;
using System.IO.Compression;
using System.Linq;
using System.Text.Json;
using NUnit.Framework;
using RedisCaching.Internal.Codecs;
using RedisCaching.Internal.Envelope;
using RedisCaching.Serialization;

namespace RedisCaching.Core.Tests.Payload;

/// <summary>
/// Allocation guards for the payload path (deterministic: bytes on this thread, not timings). After warm-up,
/// serializing a ~4 KB object into a reused buffer, encoding and decoding an envelope header, and brotli
/// compression allocate nothing; the stream-only codecs (.NET's gzip and zlib, and brotli's decoder) have a fixed
/// cost per call that is pinned here so it cannot grow unnoticed.
/// </summary>
public class PayloadAllocationTests
{
    private const int Rounds = 200;

    /// <summary>
    /// With a source-generated context (what AOT apps use, and what the README recommends) System.Text.Json writes
    /// through its generated fast path: nothing allocated. The reflection-based metadata costs a write stack per
    /// nested object graph (~300 B here); that bound is pinned too.
    /// </summary>
    [TestCase(true, 0)]
    [TestCase(false, 400)]
    public void Serializing_a_medium_object_into_a_reused_buffer_allocates_nothing_with_generated_metadata_and_a_pinned_bound_without(bool generated, int bound)
    {
        var options = generated ? new JsonSerializerOptions(PayloadJsonContext.Default.Options) : JsonSerializerOptions.Web;
        var serializer = new JsonSerializerProvider(options).GetSerializer<Order>();
        var order = Order.Medium();
        var buffer = new ArrayBufferWriter<byte>(16 * 1024);
        var bytes = PerCall(() =>
        {
            buffer.ResetWrittenCount();
            serializer.Serialize(order, buffer);
        });
        TestContext.Out.WriteLine($"{(generated ? "generated" : "reflection")}: {buffer.WrittenCount} B of JSON, {bytes} B allocated per call");
        Assert.That(buffer.WrittenCount, Is.InRange(3000, 6000), "a medium (~4 KB) object");
        Assert.That(bytes, Is.LessThanOrEqualTo(bound));
    }

    [Test]
    public void Encoding_and_decoding_an_envelope_header_allocates_nothing()
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        var header = new EnvelopeHeader(1, 2, 3, 1_700_000_000_000, 1_700_000_300_000, 1_700_003_900_000, null) { TypeFingerprint = 0x12345678 };
        var bytes = PerCall(() =>
        {
            buffer.ResetWrittenCount();
            EnvelopeFormat.WriteHeader(buffer, header);
            _ = EnvelopeFormat.TryRead(buffer.WrittenSpan, out _, out _);
        });
        Assert.That(bytes, Is.Zero);
    }

    // Measured: brotli 0 / 32 B (its decoder's handle); gzip and zlib 264 / 312 B (their stream objects).
    [TestCase("brotli", 0, 64)]
    [TestCase("gzip", 400, 500)]
    [TestCase("zlib", 400, 500)]
    public void Built_in_codecs_allocate_at_most_their_fixed_cost(string codec, int compressBound, int decompressBound)
    {
        var codecs = new CodecSet(new RedisCachingOptions(), [], [], null);
        var compressor = codecs.Compressor(codec)!;
        var source = JsonSerializer.SerializeToUtf8Bytes(Order.Medium(), JsonSerializerOptions.Web);
        var frame = new ArrayBufferWriter<byte>(16 * 1024);
        var output = new ArrayBufferWriter<byte>(16 * 1024);
        var compress = PerCall(() =>
        {
            frame.ResetWrittenCount();
            compressor.Compress(source, frame);
        });
        var decompress = PerCall(() =>
        {
            output.ResetWrittenCount();
            _ = compressor.Decompress(frame.WrittenSpan, output, 1024 * 1024);
        });
        TestContext.Out.WriteLine($"{codec}: {source.Length} -> {frame.WrittenCount} B; compress {compress} B, decompress {decompress} B per call");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(output.WrittenSpan.SequenceEqual(source), Is.True);
            Assert.That(compress, Is.LessThanOrEqualTo(compressBound));
            Assert.That(decompress, Is.LessThanOrEqualTo(decompressBound));
        }
    }

    private static long PerCall(Action call)
    {
        for (var i = 0; i < 20; i++)
        {
            call();
        }

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < Rounds; i++)
        {
            call();
        }

        return (GC.GetAllocatedBytesForCurrentThread() - before) / Rounds;
    }

    /// <summary>A document-processing result of about 4 KB as JSON.</summary>
    internal sealed record Order(Guid Id, string Customer, DateTimeOffset PlacedAt, List<OrderLine> Lines, Dictionary<string, string> Attributes)
    {
        public static Order Medium() => new(
            Guid.Parse("7d1b3c56-4f1e-4b7a-9d3e-2a6c0f8e9b10"),
            "ACME Industrial Supplies Ltd.",
            new DateTimeOffset(2026, 11, 26, 12, 0, 0, TimeSpan.Zero),
            [.. Enumerable.Range(1, 30).Select(i => new OrderLine($"SKU-{i:D5}", $"Part number {i} for the assembly line", i % 7 + 1, 9.99m * i))],
            Enumerable.Range(1, 10).ToDictionary(i => $"attribute-{i}", i => $"value {i} of the order"));
    }

    internal sealed record OrderLine(string Sku, string Description, int Quantity, decimal Price);
}
