using System;
using System.Buffers;
using System.IO;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text.Json;
using System.Threading.Tasks;
using NUnit.Framework;
using RedisCaching.Core.Tests.Connections;
using RedisCaching.Internal.Envelope;
using static RedisCaching.Core.Tests.Cache.CacheTestSupport;
using static RedisCaching.Core.Tests.Payload.PayloadStageSupport;

namespace RedisCaching.Core.Tests.Payload;

/// <summary>
/// The compression stage against real Redis: the built-in codecs write standard frames, the adaptive policy keeps
/// small and incompressible payloads as they are, and every bad frame (bomb, truncation, unknown codec) is a
/// counted miss.
/// </summary>
public class CompressionStageTests : StandaloneServerFixture
{
    [TestCase("brotli", 1)]
    [TestCase("gzip", 2)]
    [TestCase("zlib", 3)]
    public async Task Each_built_in_codec_round_trips_and_writes_its_standard_frame(string codec, int id)
    {
        var options = Options(Server);
        await using var connection = RedisConnectionFactory.Create(options.Redis);
        var writer = Engine(options, connection);
        var reader = Engine(options, connection);
        var text = CompressibleText();
        await writer.SetAsync("doc", text, new CacheEntryOptions { Compression = codec });

        var raw = await RawAsync(connection, writer, "doc");
        var read = await reader.TryGetAsync<string>("doc");
        TestContext.Out.WriteLine($"{codec}: {JsonSerializer.SerializeToUtf8Bytes(text).Length} B of JSON stored in {raw.Length} B");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(CompressorIdOf(raw), Is.EqualTo(id));
            Assert.That(raw, Has.Length.LessThan(text.Length / 4));
            Assert.That(read.Value, Is.EqualTo(text), "a reader without a compression setting still reads every codec");
            Assert.That(JsonSerializer.Deserialize<string>(DecompressWithDotNetStreams(codec, PayloadOf(raw).ToArray())), Is.EqualTo(text), "the frame is the standard one");
        }
    }

    [Test]
    public async Task Payloads_below_the_threshold_are_stored_as_they_are()
    {
        var options = Options(Server);
        await using var connection = RedisConnectionFactory.Create(options.Redis);
        var cache = Engine(options, connection);
        await cache.SetAsync("small", new string('a', 500), new CacheEntryOptions { Compression = "gzip" });
        Assert.That(CompressorIdOf(await RawAsync(connection, cache, "small")), Is.Zero);
    }

    [Test]
    public async Task Payloads_that_compress_by_less_than_the_minimum_saving_are_stored_as_they_are()
    {
        var options = Options(Server);
        await using var connection = RedisConnectionFactory.Create(options.Redis);
        var cache = Engine(options, connection);
        var noise = RandomNumberGenerator.GetBytes(16 * 1024);
        await cache.SetAsync("noise", noise, new CacheEntryOptions { Compression = "gzip" });
        var raw = await RawAsync(connection, cache, "noise");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(CompressorIdOf(raw), Is.Zero);
            Assert.That((await cache.TryGetAsync<byte[]>("noise")).Value, Is.EqualTo(noise));
        }
    }

    [Test]
    public async Task A_type_with_its_own_codec_is_compressed_whatever_the_profile_says()
    {
        var options = Options(Server, o => o.SetTypeOptions<Report>(new CacheTypeOptions { Compression = "brotli" }));
        await using var connection = RedisConnectionFactory.Create(options.Redis);
        var cache = Engine(options, connection, BuiltInCodecs(options));
        var report = new Report(CompressibleText(4000));
        await cache.SetAsync("report", report, new CacheEntryOptions { Compression = "none" });
        using (Assert.EnterMultipleScope())
        {
            Assert.That(CompressorIdOf(await RawAsync(connection, cache, "report")), Is.EqualTo(1));
            Assert.That((await cache.TryGetAsync<Report>("report")).Value, Is.EqualTo(report));
        }
    }

    [Test]
    public async Task A_decompression_bomb_is_a_counted_miss_that_never_allocates_its_size()
    {
        var options = Options(Server, o => o.Compression.MaxDecompressedBytes = 1024 * 1024);
        await using var connection = RedisConnectionFactory.Create(options.Redis);
        var cache = Engine(options, connection);
        const int claimed = 256 * 1024 * 1024;
        var bomb = Entry(SerializerIds.RawBytes, compressorId: 2, GZip(new byte[claimed]));
        await PutRawAsync(connection, cache, "bomb", bomb);

        var before = GC.GetTotalAllocatedBytes(precise: true);
        var read = await cache.TryGetAsync<byte[]>("bomb");
        var allocated = GC.GetTotalAllocatedBytes(precise: true) - before;
        TestContext.Out.WriteLine($"a {bomb.Length:N0} B entry claiming {claimed:N0} B cost {allocated:N0} B to read");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(read.HasValue, Is.False);
            Assert.That(cache.Counters.UnreadableEntries, Is.EqualTo(1));
            // Process-wide (other fixtures run in parallel), so the bound is loose; without the check it would be 256 MB.
            Assert.That(allocated, Is.LessThan(claimed / 4), "the limit is checked before the memory is taken");
        }
    }

    [Test]
    public async Task A_truncated_frame_or_an_unknown_codec_is_a_counted_miss()
    {
        var options = Options(Server);
        await using var connection = RedisConnectionFactory.Create(options.Redis);
        var cache = Engine(options, connection);
        var text = CompressibleText();
        foreach (var codec in new[] { "brotli", "gzip", "zlib" })
        {
            await cache.SetAsync(codec, text, new CacheEntryOptions { Compression = codec });
            var raw = await RawAsync(connection, cache, codec);
            await PutRawAsync(connection, cache, codec, raw[..^6]);
        }

        await cache.SetAsync("unknown", text, new CacheEntryOptions { Compression = "gzip" });
        var patched = await RawAsync(connection, cache, "unknown");
        patched[EnvelopeFormat.CompressorIdOffset] = 200;
        await PutRawAsync(connection, cache, "unknown", patched);

        using (Assert.EnterMultipleScope())
        {
            foreach (var key in new[] { "brotli", "gzip", "zlib", "unknown" })
            {
                Assert.That((await cache.TryGetAsync<string>(key)).HasValue, Is.False, key);
            }

            Assert.That(cache.Counters.UnreadableEntries, Is.EqualTo(4));
        }
    }

    /// <summary>An envelope with a fresh fixed header (no tags, no sliding) around <paramref name="payload"/>.</summary>
    internal static byte[] Entry(byte serializerId, byte compressorId, byte[] payload, ushort keyId = 0)
    {
        using var buffer = new PooledBufferWriter();
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        EnvelopeFormat.WriteHeader(buffer, new EnvelopeHeader(serializerId, compressorId, keyId, now, now + 300_000, now + 300_000, null));
        buffer.Write(payload);
        return buffer.WrittenMemory.ToArray();
    }

    private static byte[] GZip(byte[] data)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Fastest))
        {
            gzip.Write(data);
        }

        return output.ToArray();
    }

    private static byte[] DecompressWithDotNetStreams(string codec, byte[] frame)
    {
        using var input = new MemoryStream(frame);
        using Stream decompressor = codec switch
        {
            "brotli" => new BrotliStream(input, CompressionMode.Decompress),
            "gzip" => new GZipStream(input, CompressionMode.Decompress),
            _ => new ZLibStream(input, CompressionMode.Decompress),
        };
        using var output = new MemoryStream();
        decompressor.CopyTo(output);
        return output.ToArray();
    }

    private sealed record Report(string Body);
}
