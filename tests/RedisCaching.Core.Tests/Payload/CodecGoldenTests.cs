using System.IO;
using System.Threading.Tasks;
using NUnit.Framework;
using RedisCaching.Core.Tests.Connections;
using static RedisCaching.Core.Tests.Cache.CacheTestSupport;
using static RedisCaching.Core.Tests.Payload.PayloadStageSupport;

namespace RedisCaching.Core.Tests.Payload;

/// <summary>
/// Golden entries per built-in codec (JSON payload, version 2 header, fresh until 2100), written once by this
/// version and committed: every later version must still read them back from Redis. A new layout or codec adds
/// files, never rewrites these.
/// </summary>
public class CodecGoldenTests : StandaloneServerFixture
{
    [TestCase("brotli", 1)]
    [TestCase("gzip", 2)]
    [TestCase("zlib", 3)]
    public async Task A_golden_entry_of_each_built_in_codec_still_reads(string codec, int id)
    {
        var options = Options(Server);
        await using var connection = RedisConnectionFactory.Create(options.Redis);
        var cache = Engine(options, connection);
        var golden = await File.ReadAllBytesAsync(Path.Combine(TestContext.CurrentContext.TestDirectory, "Golden", $"envelope-v2-json-{codec}.bin"));
        await PutRawAsync(connection, cache, "golden", golden);
        var read = await cache.TryGetAsync<GoldenDocument>("golden");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(CompressorIdOf(golden), Is.EqualTo(id));
            Assert.That(read.Value, Is.EqualTo(new GoldenDocument("golden", CompressibleText(3000))));
        }
    }

    internal sealed record GoldenDocument(string Name, string Body);
}
