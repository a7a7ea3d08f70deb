using System;
using System.Buffers;
using System.Buffers.Binary;
using System.IO;
using System.Runtime.CompilerServices;
using NUnit.Framework;
using RedisCaching.Serialization.Tests.Shapes;
using RedisCaching.Serialization.Tests.Support;

namespace RedisCaching.Serialization.Tests;

/// <summary>
/// Payloads written once by this version and committed under Golden/: every later version must still read them. A
/// format change adds new files, never overwrites these. To write missing files (only then), run the tests once with
/// REDISCACHING_WRITE_GOLDEN=1.
/// </summary>
public sealed class GoldenFileTests
{
    private const string MessagePackFile = "order-v1.msgpack";
    private const string ZstdFile = "order-v1.msgpack.zst";
    private const string Lz4File = "order-v1.msgpack.lz4";

    private static Order Fixed() => Orders.Create(3, seed: 7);

    private static byte[] Serialize(Order order)
    {
        var writer = new ArrayBufferWriter<byte>();
        MessagePackCacheSerializerProvider.CreateDynamic().GetSerializer<Order>().Serialize(order, writer);
        return writer.WrittenSpan.ToArray();
    }

    [OneTimeSetUp]
    public void WriteMissingFilesWhenAsked()
    {
        if (Environment.GetEnvironmentVariable("REDISCACHING_WRITE_GOLDEN") != "1")
        {
            return;
        }

        byte[] payload = Serialize(Fixed());
        WriteOnce(MessagePackFile, payload);
        WriteOnce(ZstdFile, Bytes.Compress(new ZstdCacheCompressor(), payload));
        WriteOnce(Lz4File, Bytes.Compress(new Lz4CacheCompressor(), payload));
    }

    [Test]
    public void The_messagepack_payload_still_reads_and_is_still_written_the_same_way()
    {
        byte[] golden = Read(MessagePackFile);
        Order order = MessagePackCacheSerializerProvider.CreateDynamic().GetSerializer<Order>().Deserialize(new ReadOnlySequence<byte>(golden));
        Assert.That(order, Is.EqualTo(Fixed()).UsingPropertiesComparer());
        Assert.That(Serialize(Fixed()), Is.EqualTo(golden), "the wire format of an unchanged contract must not change");
    }

    [TestCase(ZstdFile, "zstd")]
    [TestCase(Lz4File, "lz4")]
    public void The_compressed_frames_still_read(string file, string codec)
    {
        byte[] frame = Read(file);
        var target = new ArrayBufferWriter<byte>();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(BinaryPrimitives.ReadUInt32LittleEndian(frame), Is.EqualTo(Codecs.Magic(codec)));
            Assert.That(Codecs.Get(codec).Decompress(frame, target, 1 << 20), Is.EqualTo(DecompressionResult.Done));
            Assert.That(target.WrittenSpan.ToArray(), Is.EqualTo(Read(MessagePackFile)));
        }
    }

    private static byte[] Read(string name)
    {
        string path = Path.Combine(TestContext.CurrentContext.TestDirectory, "Golden", name);
        Assert.That(File.Exists(path), Is.True, $"{path} is missing; golden files are committed (REDISCACHING_WRITE_GOLDEN=1 writes missing ones).");
        return File.ReadAllBytes(path);
    }

    private static void WriteOnce(string name, byte[] bytes, [CallerFilePath] string sourceFile = "")
    {
        string path = Path.Combine(Path.GetDirectoryName(sourceFile)!, "Golden", name);
        if (!File.Exists(path))
        {
            File.WriteAllBytes(path, bytes);
            File.WriteAllBytes(Path.Combine(TestContext.CurrentContext.TestDirectory, "Golden", name), bytes);
        }
    }
}
