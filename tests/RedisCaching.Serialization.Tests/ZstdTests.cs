using System;
using System.Buffers;
using System.Collections.Generic;
using System.Linq;
using NUnit.Framework;
using RedisCaching.Serialization.Tests.Shapes;
using RedisCaching.Serialization.Tests.Support;
using ZstdSharp;

namespace RedisCaching.Serialization.Tests;

/// <summary>What only zstd has: levels, trained dictionaries and their id check, windows.</summary>
public sealed class ZstdTests
{
    private static readonly Lazy<byte[]> DictionaryA = new(() => Train(seedOffset: 0));
    private static readonly Lazy<byte[]> DictionaryB = new(() => Train(seedOffset: 50_000));

    private static byte[] SmallPayload(int seed)
    {
        var writer = new ArrayBufferWriter<byte>();
        MessagePackCacheSerializerProvider.CreateDynamic().GetSerializer<Order>().Serialize(Orders.Create(2, seed), writer);
        return writer.WrittenSpan.ToArray();
    }

    private static byte[] Train(int seedOffset)
    {
        var samples = new List<byte[]>();
        for (int i = 0; i < 2000; i++)
        {
            samples.Add(SmallPayload(seedOffset + i));
        }

        return DictBuilder.TrainFromBuffer(samples, 4096);
    }

    [Test]
    public void A_trained_dictionary_round_trips_and_shrinks_small_entries()
    {
        using var plain = new ZstdCacheCompressor();
        using var withDictionary = new ZstdCacheCompressor(new ZstdCompressionOptions { Dictionary = DictionaryA.Value });
        byte[] payload = SmallPayload(123_456);
        byte[] frame = Bytes.Compress(withDictionary, payload);
        var target = new ArrayBufferWriter<byte>();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(withDictionary.DictionaryId, Is.Not.Zero);
            Assert.That(withDictionary.Decompress(frame, target, 1 << 20), Is.EqualTo(DecompressionResult.Done));
            Assert.That(target.WrittenSpan.SequenceEqual(payload), Is.True);
            Assert.That(frame, Has.Length.LessThan(Bytes.Compress(plain, payload).Length * 3 / 4), $"{payload.Length} B payload");
        }
    }

    [Test]
    public void An_entry_compressed_with_another_dictionary_or_none_is_corrupt()
    {
        using var plain = new ZstdCacheCompressor();
        using var a = new ZstdCacheCompressor(new ZstdCompressionOptions { Dictionary = DictionaryA.Value });
        using var b = new ZstdCacheCompressor(new ZstdCompressionOptions { Dictionary = DictionaryB.Value });
        Assume.That(a.DictionaryId, Is.Not.EqualTo(b.DictionaryId));
        byte[] payload = SmallPayload(7);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(b.Decompress(Bytes.Compress(a, payload), new ArrayBufferWriter<byte>(), 1 << 20), Is.EqualTo(DecompressionResult.Corrupt), "other dictionary");
            Assert.That(plain.Decompress(Bytes.Compress(a, payload), new ArrayBufferWriter<byte>(), 1 << 20), Is.EqualTo(DecompressionResult.Corrupt), "reader without one");
            Assert.That(a.Decompress(Bytes.Compress(plain, payload), new ArrayBufferWriter<byte>(), 1 << 20), Is.EqualTo(DecompressionResult.Corrupt), "writer without one");
        }
    }

    [Test]
    public void A_dictionary_without_an_id_is_refused()
    {
        var e = Assert.Throws<ArgumentException>(() => new ZstdCacheCompressor(new ZstdCompressionOptions { Dictionary = Bytes.Text(2048) }));
        Assert.That(e!.Message, Does.Contain("dictionary id"));
    }

    [TestCase(-8)]
    [TestCase(23)]
    public void Levels_out_of_range_are_refused(int level)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new ZstdCacheCompressor(new ZstdCompressionOptions { Level = level }));
    }

    [Test]
    public void Every_level_is_read_by_any_reader()
    {
        using var reader = new ZstdCacheCompressor();
        byte[] content = Bytes.Text(20_000);
        foreach (int level in new[] { -7, 1, 3, 9, 19 })
        {
            using var writer = new ZstdCacheCompressor(new ZstdCompressionOptions { Level = level });
            var target = new ArrayBufferWriter<byte>();
            Assert.That(reader.Decompress(Bytes.Compress(writer, content), target, content.Length), Is.EqualTo(DecompressionResult.Done), $"level {level}");
            Assert.That(target.WrittenSpan.SequenceEqual(content), Is.True);
        }
    }

    [Test]
    public void A_streamed_frame_whose_window_exceeds_the_limits_is_too_large()
    {
        // A frame without content size that declares a 16 MiB window: decoding would allocate the window before producing a
        // byte. zstd shrinks the window to small inputs, so the window descriptor (byte 5, RFC 8878 3.1.1.1.2) is raised by hand.
        byte[] frame = FrameVariants.ZstdWithoutContentSize(Bytes.Text(1000));
        Assume.That(frame[4] & 0x20, Is.Zero, "not single-segment: a window descriptor follows");
        frame[5] = (24 - 10) << 3;
        using var zstd = new ZstdCacheCompressor();
        Assert.That(zstd.Decompress(frame, new ArrayBufferWriter<byte>(), 1 << 20), Is.EqualTo(DecompressionResult.TooLarge));
        Assert.That(zstd.Decompress(frame, new ArrayBufferWriter<byte>(), 32 << 20), Is.EqualTo(DecompressionResult.Done), "within a larger limit");
    }

    /// <summary>
    /// The known-size path takes the declared content size at once, so a 17-byte frame declaring 64 MiB (one RLE block
    /// of one byte) must be refused on what its blocks can produce, before anything is allocated: zstd's format cannot
    /// expand by more than about 32768:1 (a 4-byte RLE block per 128 KiB), and this frame's blocks give 1 byte.
    /// </summary>
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
            Assert.That(destination.LargestRequest, Is.Zero, $"a {frame.Length} B frame made the codec ask for {destination.LargestRequest} B");
        }
    }

    /// <summary>The block walk's bound is exact for RLE blocks: the declared size they produce reads, one byte more is corrupt.</summary>
    [TestCase(200, DecompressionResult.Done)]
    [TestCase(201, DecompressionResult.Corrupt)]
    public void A_declared_size_is_checked_against_what_the_blocks_produce(int declared, DecompressionResult expected)
    {
        // magic | FHD: single segment, 1-byte content size | content size | last RLE block of 200 bytes: 'x'
        var frame = new byte[] { 0x28, 0xB5, 0x2F, 0xFD, 0x20, (byte)declared, 0x43, 0x06, 0x00, (byte)'x' };
        var destination = new RecordingWriter();
        using var zstd = new ZstdCacheCompressor();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(zstd.Decompress(frame, destination, 1 << 20), Is.EqualTo(expected));
            if (expected == DecompressionResult.Done)
            {
                Assert.That(destination.WrittenSpan.ToArray(), Is.EqualTo(new string('x', 200).Select(static c => (byte)c).ToArray()));
            }
        }
    }
}
