using System;
using System.Buffers;
using System.Buffers.Binary;
using NUnit.Framework;
using RedisCaching.Serialization.Tests.Support;

namespace RedisCaching.Serialization.Tests;

[TestFixtureSource(typeof(Codecs), nameof(Codecs.Names))]
public sealed class CompressorTests(string codec)
{
    private const int Limit = 1024 * 1024;
    private readonly ICacheCompressor _compressor = Codecs.Get(codec);

    private DecompressionResult Decompress(byte[] frame, ArrayBufferWriter<byte> target, int limit = Limit) =>
        _compressor.Decompress(frame, target, limit);

    [Test]
    public void Has_the_reserved_id_and_name()
    {
        Assert.That((_compressor.Id, _compressor.Name), Is.EqualTo(codec == "zstd" ? ((byte)4, "zstd") : ((byte)5, "lz4")));
    }

    [TestCase(0)]
    [TestCase(200)]
    [TestCase(4 * 1024)]
    [TestCase(256 * 1024)]
    [TestCase(300 * 1024 + 17)]
    public void Round_trips_text_of_each_size(int size)
    {
        byte[] content = Bytes.Text(size);
        byte[] frame = Bytes.Compress(_compressor, content);
        var target = new ArrayBufferWriter<byte>();
        Assert.That(Decompress(frame, target), Is.EqualTo(DecompressionResult.Done));
        Assert.That(target.WrittenSpan.SequenceEqual(content), Is.True);
        if (size >= 4096)
        {
            Assert.That(frame, Has.Length.LessThan(size / 2), "text compresses");
        }
    }

    [TestCase(200)]
    [TestCase(4 * 1024)]
    [TestCase(256 * 1024)]
    public void Round_trips_incompressible_bytes(int size)
    {
        byte[] content = Bytes.Random(size);
        byte[] frame = Bytes.Compress(_compressor, content);
        var target = new ArrayBufferWriter<byte>();
        Assert.That(Decompress(frame, target), Is.EqualTo(DecompressionResult.Done));
        Assert.That(target.WrittenSpan.SequenceEqual(content), Is.True);
        Assert.That(frame, Has.Length.LessThan(size + 64), "an incompressible block is stored, not expanded");
    }

    [Test]
    public void Frames_start_with_the_standard_magic_number()
    {
        byte[] frame = Bytes.Compress(_compressor, Bytes.Text(1000));
        Assert.That(BinaryPrimitives.ReadUInt32LittleEndian(frame), Is.EqualTo(Codecs.Magic(codec)));
    }

    [Test]
    public void A_bomb_that_declares_its_size_is_refused_before_allocating()
    {
        const int declared = 16 * 1024 * 1024;
        byte[] frame = Bytes.Compress(_compressor, new byte[declared]);
        Assert.That(frame, Has.Length.LessThan(declared / 100), "a small frame");
        var target = new ArrayBufferWriter<byte>(16);
        DecompressionResult result = DecompressionResult.Done;
        long allocated = Allocations.Of(() => result = Decompress(frame, target));
        using (Assert.EnterMultipleScope())
        {
            Assert.That(result, Is.EqualTo(DecompressionResult.TooLarge));
            Assert.That(target.WrittenCount, Is.Zero);
            Assert.That(allocated, Is.LessThan(64 * 1024), $"allocated {allocated} B for a frame declaring {declared} B");
        }
    }

    [Test]
    public void A_bomb_without_a_declared_size_stops_at_the_limit()
    {
        const int expanded = 16 * 1024 * 1024;
        byte[] frame = WithoutContentSize(new byte[expanded]);
        var target = new ArrayBufferWriter<byte>(16);
        DecompressionResult result = DecompressionResult.Done;
        long allocated = Allocations.Of(() => result = Decompress(frame, target));
        using (Assert.EnterMultipleScope())
        {
            Assert.That(result, Is.EqualTo(DecompressionResult.TooLarge));
            Assert.That(target.WrittenCount, Is.LessThanOrEqualTo(Limit));
            // The writer grows up to the limit (1 MiB, doubling); nothing near the 16 MiB the frame expands to.
            Assert.That(allocated, Is.LessThan(expanded / 4), $"allocated {allocated} B for a frame expanding to {expanded} B");
        }
    }

    [Test]
    public void Content_of_exactly_the_limit_is_accepted_and_one_byte_more_is_too_large()
    {
        byte[] content = Bytes.Text(100_000);
        foreach (byte[] frame in new[] { Bytes.Compress(_compressor, content), WithoutContentSize(content) })
        {
            var target = new ArrayBufferWriter<byte>();
            Assert.That(Decompress(frame, target, content.Length), Is.EqualTo(DecompressionResult.Done));
            Assert.That(target.WrittenSpan.SequenceEqual(content), Is.True);
            var small = new ArrayBufferWriter<byte>();
            Assert.That(Decompress(frame, small, content.Length - 1), Is.EqualTo(DecompressionResult.TooLarge));
            Assert.That(small.WrittenCount, Is.LessThanOrEqualTo(content.Length - 1));
        }
    }

    [Test]
    public void A_frame_without_a_declared_size_round_trips()
    {
        byte[] content = Bytes.Text(300_000);
        var target = new ArrayBufferWriter<byte>();
        Assert.That(Decompress(WithoutContentSize(content), target), Is.EqualTo(DecompressionResult.Done));
        Assert.That(target.WrittenSpan.SequenceEqual(content), Is.True);
    }

    [Test]
    public void Truncated_frames_are_corrupt()
    {
        byte[] frame = Bytes.Compress(_compressor, Bytes.Text(100_000));
        foreach (int length in new[] { 0, 1, 4, 6, 10, 14, 15, frame.Length / 2, frame.Length - 5, frame.Length - 1 })
        {
            Assert.That(Decompress(frame[..length], new ArrayBufferWriter<byte>()), Is.EqualTo(DecompressionResult.Corrupt), $"cut at {length} of {frame.Length}");
        }
    }

    [Test]
    public void Random_bytes_are_corrupt()
    {
        for (int seed = 0; seed < 50; seed++)
        {
            byte[] garbage = Bytes.Random(1 + (seed * 37), seed);
            Assert.That(Decompress(garbage, new ArrayBufferWriter<byte>()), Is.EqualTo(DecompressionResult.Corrupt));
        }
    }

    [Test]
    public void Random_bytes_behind_a_valid_magic_number_are_corrupt()
    {
        for (int seed = 0; seed < 200; seed++)
        {
            byte[] garbage = Bytes.Random(64 + seed, seed);
            BinaryPrimitives.WriteUInt32LittleEndian(garbage, Codecs.Magic(codec));
            Assert.That(Decompress(garbage, new ArrayBufferWriter<byte>()), Is.Not.EqualTo(DecompressionResult.Done), $"seed {seed}");
        }
    }

    [Test]
    public void A_damaged_byte_is_caught_by_the_checksum()
    {
        byte[] content = Bytes.Text(50_000);
        byte[] frame = Bytes.Compress(_compressor, content);
        int damaged = 0;
        for (int position = 20; position < frame.Length; position += Math.Max(1, frame.Length / 40))
        {
            byte[] copy = (byte[])frame.Clone();
            copy[position] ^= 0x5A;
            var target = new ArrayBufferWriter<byte>();
            DecompressionResult result = Decompress(copy, target);
            Assert.That(result == DecompressionResult.Done && !target.WrittenSpan.SequenceEqual(content), Is.False, $"garbage returned as Done at {position}");
            damaged++;
        }

        Assert.That(damaged, Is.GreaterThan(10));
    }

    [Test]
    public void Bytes_after_the_frame_are_corrupt()
    {
        byte[] frame = Bytes.Compress(_compressor, Bytes.Text(5000));
        Assert.That(Decompress([.. frame, 0x00], new ArrayBufferWriter<byte>()), Is.EqualTo(DecompressionResult.Corrupt));
        Assert.That(Decompress([.. frame, .. frame], new ArrayBufferWriter<byte>()), Is.EqualTo(DecompressionResult.Corrupt));
    }

    [Test]
    public void The_other_codecs_frames_are_corrupt()
    {
        string other = codec == "zstd" ? "lz4" : "zstd";
        byte[] foreign = Bytes.Compress(Codecs.Get(other), Bytes.Text(5000));
        Assert.That(Decompress(foreign, new ArrayBufferWriter<byte>()), Is.EqualTo(DecompressionResult.Corrupt));
    }

    [TestCase(4 * 1024)]
    [TestCase(256 * 1024)]
    public void Compressing_and_decompressing_into_reused_buffers_allocates_nothing(int size)
    {
        byte[] content = Bytes.Text(size);
        var compressed = new ArrayBufferWriter<byte>(size + 1024);
        var decompressed = new ArrayBufferWriter<byte>(size + 1024);
        long compress = Allocations.PerOperation(() =>
        {
            compressed.ResetWrittenCount();
            _compressor.Compress(content, compressed);
        });
        long decompress = Allocations.PerOperation(() =>
        {
            decompressed.ResetWrittenCount();
            _compressor.Decompress(compressed.WrittenSpan, decompressed, Limit);
        });
        using (Assert.EnterMultipleScope())
        {
            Assert.That(compress, Is.Zero, "compress, B/op");
            Assert.That(decompress, Is.Zero, "decompress, B/op");
        }
    }

    private byte[] WithoutContentSize(byte[] content) => codec == "zstd"
        ? FrameVariants.ZstdWithoutContentSize(content)
        : FrameVariants.Lz4WithoutContentSize(Bytes.Compress(_compressor, content));
}
