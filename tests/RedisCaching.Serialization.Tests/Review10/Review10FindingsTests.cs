using System;
using System.Linq;
using System.Threading.Tasks;
using Microsoft.Extensions.DependencyInjection;
using NUnit.Framework;
using RedisCaching.Serialization.Tests.Engine;

namespace RedisCaching.Serialization.Tests.Review10;

/// <summary>
/// Review of issue 10 (serialization, compression, encryption): each test states what the README promises and
/// fails while the code does otherwise.
/// </summary>
public class Review10FindingsTests : EngineFixture
{
    private static string NewPrefix() => "r" + Guid.NewGuid().ToString("N")[..8];

    private static string Compressible(int length = 20_000) =>
        string.Concat(Enumerable.Range(0, length / 10 + 1).Select(i => $"line {i % 97} cached; "))[..length];

    /// <summary>
    /// Compression:MaxDecompressedBytes = int.MaxValue ("no limit") passes start-up validation, but then
    /// <c>maxDecompressedLength - total + 1</c> overflows in the brotli decoder and in BoundedDecompression (gzip,
    /// zlib): every read of a compressed entry throws ArgumentOutOfRangeException into the caller.
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
    /// README: "truncated frames ... are counted misses". .NET's ZLibStream returns end-of-stream on a truncated
    /// deflate stream instead of throwing, zlib has no size trailer that the codec checks (gzip has, and is checked),
    /// and all input is consumed, so a zlib frame cut in the middle decodes "successfully" to a prefix of the value.
    /// For byte[] values (stored as they are) the caller gets those truncated bytes: garbage instead of a miss.
    /// </summary>
    [Test]
    public async Task A_truncated_zlib_frame_is_a_miss_not_a_prefix_of_the_value()
    {
        var prefix = NewPrefix();
        await using var provider = BuildCache(prefix);
        var cache = provider.GetRequiredService<ICache>();
        var value = System.Text.Encoding.UTF8.GetBytes(Compressible(200_000));
        await cache.SetAsync("blob", value, new CacheEntryOptions { Compression = "zlib" });

        var raw = await RawAsync($"{prefix}:blob");
        Assert.That(raw[6], Is.EqualTo(3), "stored with zlib");
        await PutRawAsync($"{prefix}:blob", raw[..(raw.Length / 2)]);

        var read = await cache.TryGetAsync<byte[]>("blob");
        Assert.That(read.HasValue, Is.False, read.HasValue ? $"got {read.Value.Length} of {value.Length} bytes back as the value" : "");
    }

    /// <summary>
    /// README: "A profile that encrypts refuses unencrypted entries (which anyone with write access to Redis could
    /// plant)". That holds for Redis reads only. A plain entry planted in Redis is accepted by any non-encrypting read
    /// of the same key and type (another call site, the defaults), which fills memory; memory keeps no trace of whether
    /// the bytes were authenticated, so the encrypting read is then served the planted value from memory.
    /// </summary>
    [Test]
    public async Task A_planted_plain_entry_never_reaches_an_encrypting_reader_through_memory()
    {
        var prefix = NewPrefix();
        await using var attacker = BuildCache(prefix);
        await using var app = BuildCache(prefix, configure: o => o.Memory.Enabled = true);
        var secret = new CacheEntryOptions { Encrypt = true };
        var cache = app.GetRequiredService<ICache>();

        // The app's encrypted entry, then the attacker's plain one in its place (the attacker could also write the bytes by hand).
        await cache.SetAsync("session", "genuine", secret);
        await attacker.GetRequiredService<ICache>().SetAsync("session", "planted");
        Assert.That((await cache.TryGetAsync<string>("session", secret)).HasValue, Is.False, "Redis read: refused, as documented");

        // Some other read of the key without encryption (a default-options call site) accepts it and fills memory.
        var deadline = DateTime.UtcNow.AddSeconds(5);
        while ((await cache.TryGetAsync<string>("session")).Tier != CacheTier.Memory && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
        }

        var encrypted = await cache.TryGetAsync<string>("session", secret);
        Assert.That(encrypted.HasValue, Is.False, encrypted.HasValue ? $"the encrypting read got '{encrypted.Value}' from {encrypted.Tier}" : "");
    }

    /// <summary>
    /// The envelope records the format but not the type, so within one format another type deserializes "fine" to an
    /// object of default members: garbage instead of a miss. Memory treats the same case as a miss (TryReadMemory:
    /// "Written for another value type under this key: a miss, as Decode says for Redis"), so the answer depends on
    /// which tier answers.
    /// </summary>
    [Test]
    public async Task An_entry_of_another_type_in_the_same_format_is_a_miss()
    {
        await using var provider = BuildCache(NewPrefix());
        var cache = provider.GetRequiredService<ICache>();
        await cache.SetAsync("thing", new Widget { Name = "gear", Size = 3 });
        var read = await cache.TryGetAsync<Invoice>("thing");
        Assert.That(read.HasValue, Is.False, read.HasValue ? $"got an Invoice {{ Number = {read.Value.Number}, Total = {read.Value.Total} }}" : "");
    }

    public sealed class Widget
    {
        public string Name { get; set; } = "";

        public int Size { get; set; }
    }

    public sealed class Invoice
    {
        public string Number { get; set; } = "";

        public decimal Total { get; set; }
    }
}
