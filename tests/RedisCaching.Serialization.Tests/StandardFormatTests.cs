using System;
using System.Buffers;
using System.Threading.Tasks;
using NUnit.Framework;
using RedisCaching.Serialization.Tests.Support;

namespace RedisCaching.Serialization.Tests;

/// <summary>
/// Our frames are the standard ones: the reference <c>zstd</c> and <c>lz4</c> tools read what we write, and we read what
/// they write (including their streaming variants: no content size, linked LZ4 blocks, block checksums). Ignored where a
/// tool is not installed.
/// </summary>
[NonParallelizable]
public sealed class StandardFormatTests
{
    private static readonly byte[] Content = Bytes.Text(200_000);

    [Test]
    public async Task The_zstd_tool_reads_our_frames()
    {
        string zstd = CommandLineTool.RequireOrIgnore("zstd");
        byte[] frame = Bytes.Compress(Codecs.Get("zstd"), Content);
        Assert.That(await CommandLineTool.FilterAsync(zstd, frame, "-d", "-c", "-q"), Is.EqualTo(Content));
    }

    [Test]
    public async Task The_lz4_tool_reads_our_frames()
    {
        string lz4 = CommandLineTool.RequireOrIgnore("lz4");
        byte[] frame = Bytes.Compress(Codecs.Get("lz4"), Content);
        Assert.That(await CommandLineTool.FilterAsync(lz4, frame, "-d", "-c", "-q"), Is.EqualTo(Content));
    }

    [TestCase("-3")]
    [TestCase("-19")]
    [TestCase("--no-check")]
    public async Task We_read_the_zstd_tools_streamed_frames(string option)
    {
        string zstd = CommandLineTool.RequireOrIgnore("zstd");
        // From stdin the tool does not know the size: no content size in the frame, the bounded streaming path.
        byte[] frame = await CommandLineTool.FilterAsync(zstd, Content, option, "-c", "-q");
        AssertReads("zstd", frame);
    }

    [TestCase("-1")]
    [TestCase("-9")]
    [TestCase("-BD")]
    [TestCase("-BX")]
    [TestCase("-B4")]
    [TestCase("-B7")]
    [TestCase("--content-size")]
    [TestCase("--no-frame-crc")]
    public async Task We_read_the_lz4_tools_frames(string option)
    {
        string lz4 = CommandLineTool.RequireOrIgnore("lz4");
        byte[] frame = await CommandLineTool.FilterAsync(lz4, Content, option, "-c", "-q");
        AssertReads("lz4", frame);
    }

    private static void AssertReads(string codec, byte[] frame)
    {
        var target = new ArrayBufferWriter<byte>();
        Assert.That(Codecs.Get(codec).Decompress(frame, target, Content.Length), Is.EqualTo(DecompressionResult.Done));
        Assert.That(target.WrittenSpan.SequenceEqual(Content), Is.True);
        Assert.That(Codecs.Get(codec).Decompress(frame, new ArrayBufferWriter<byte>(), Content.Length - 1), Is.Not.EqualTo(DecompressionResult.Done));
    }
}
