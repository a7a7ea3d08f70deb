using System;
using System.Linq;
using System.Text;
using System.Threading.Tasks;
using Microsoft.Extensions.DependencyInjection;
using NUnit.Framework;

namespace RedisCaching.Serialization.Tests.Engine;

/// <summary>Compressed entries through <see cref="ICache"/>: any valid limit reads them, and a damaged frame is a miss, never a part of the value.</summary>
public class CompressedEntryTests : EngineFixture
{
    private static string NewPrefix() => "c" + Guid.NewGuid().ToString("N")[..8];

    private static string Compressible(int length = 20_000) =>
        string.Concat(Enumerable.Range(0, length / 10 + 1).Select(i => $"line {i % 97} cached; "))[..length];

    /// <summary>
    /// MaxDecompressedBytes = int.MaxValue ("no limit") passes start-up validation; <c>limit - total + 1</c> must not
    /// overflow into an exception on every read.
    /// </summary>
    [TestCase("brotli")]
    [TestCase("gzip")]
    [TestCase("zlib")]
    public async Task A_limit_of_int_MaxValue_still_reads_compressed_entries(string codec)
    {
        await using var provider = BuildCache(NewPrefix(), configure: o => o.Compression.MaxDecompressedBytes = int.MaxValue);
        var cache = provider.GetRequiredService<ICache>();
        var text = Compressible();
        await cache.SetAsync("doc", text, new CacheEntryOptions { Compression = codec });

        CacheResult<string> read = default;
        Assert.DoesNotThrowAsync(async () => read = await cache.TryGetAsync<string>("doc"), "bad configuration or bad bytes must never surface as an exception on read");
        Assert.That(read.HasValue ? read.Value : null, Is.EqualTo(text));
    }

    /// <summary>
    /// .NET's zlib reader ends a frame cut in the middle quietly, so without the Adler-32 trailer check a byte[] value
    /// (stored as it is) came back as a prefix of itself.
    /// </summary>
    [Test]
    public async Task A_truncated_zlib_frame_is_a_miss_not_a_prefix_of_the_value()
    {
        var prefix = NewPrefix();
        await using var provider = BuildCache(prefix);
        var cache = provider.GetRequiredService<ICache>();
        var value = Encoding.UTF8.GetBytes(Compressible(200_000));
        await cache.SetAsync("blob", value, new CacheEntryOptions { Compression = "zlib" });

        var raw = await RawAsync($"{prefix}:blob");
        Assert.That(raw[6], Is.EqualTo(3), "stored with zlib");
        await PutRawAsync($"{prefix}:blob", raw[..(raw.Length / 2)]);

        var read = await cache.TryGetAsync<byte[]>("blob");
        Assert.That(read.HasValue, Is.False, read.HasValue ? $"got {read.Value.Length} of {value.Length} bytes back as the value" : "");
    }
}
