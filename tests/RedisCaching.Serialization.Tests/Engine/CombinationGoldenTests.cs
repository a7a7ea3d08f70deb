using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Threading.Tasks;
using Microsoft.Extensions.DependencyInjection;
using NUnit.Framework;
using RedisCaching.Serialization.Tests.Shapes;

namespace RedisCaching.Serialization.Tests.Engine;

/// <summary>
/// One golden entry per serializer x compressor x encryption combination (the medium order, fresh until about 2100,
/// encrypted ones with TEST key 1 of <see cref="Encryption.TestKeys"/> under the Redis key they were written for),
/// written through <see cref="ICache"/> and committed. Each is put back into Redis as it is and must still read: a
/// later version that cannot is a break of stored data. Two sets:
/// <list type="bullet">
/// <item><c>Golden/combinations</c>: written before entries recorded their value type; kept as they are, to prove
/// that entries without a type fingerprint still read.</item>
/// <item><c>Golden/combinations-typed</c>: written with the type fingerprint (envelope flag bit 2).</item>
/// </list>
/// A format change adds a set, never overwrites one. To write missing files (only then), run these tests once with
/// REDISCACHING_WRITE_GOLDEN=1.
/// </summary>
public class CombinationGoldenTests : EngineFixture
{
    internal const string Prefix = "golden";
    internal const string Untyped = "combinations";
    internal const string Typed = "combinations-typed";

    internal static readonly CacheEntryOptions Durable = new() { Expiration = TimeSpan.FromDays(365 * 74), FailSafeMaxDuration = TimeSpan.Zero };

    internal static IEnumerable<(string Serializer, string Compression, bool Encrypt)> All() =>
        from serializer in new[] { "json", "messagepack" }
        from compression in new[] { "none", "brotli", "gzip", "zlib", "zstd", "lz4" }
        from encrypt in new[] { false, true }
        select (serializer, compression, encrypt);

    internal static string KeyOf((string Serializer, string Compression, bool Encrypt) c) => $"order-{c.Serializer}-{c.Compression}{(c.Encrypt ? "-aesgcm" : "")}";

    internal static Task<byte[]> ReadGoldenAsync(string set, string key) =>
        File.ReadAllBytesAsync(Path.Combine(TestContext.CurrentContext.TestDirectory, "Golden", set, key + ".bin"));

    private static IEnumerable<TestCaseData> Cases() =>
        from set in new[] { Untyped, Typed }
        from c in All()
        select new TestCaseData(set, c.Serializer, c.Compression, c.Encrypt).SetName($"golden {set}/{KeyOf(c)}");

    [OneTimeSetUp]
    public async Task WriteMissingTypedFilesWhenAsked()
    {
        if (Environment.GetEnvironmentVariable("REDISCACHING_WRITE_GOLDEN") != "1")
        {
            return;
        }

        await using var provider = BuildCache(Prefix);
        var cache = provider.GetRequiredService<ICache>();
        foreach (var c in All())
        {
            var key = KeyOf(c);
            await cache.SetAsync(key, Orders.Medium(), Durable with { Serializer = c.Serializer, Compression = c.Compression, Encrypt = c.Encrypt });
            WriteOnce(Typed, key, await RawAsync($"{Prefix}:{key}"));
        }
    }

    [TestCaseSource(nameof(Cases))]
    public async Task A_golden_entry_of_each_combination_still_reads(string set, string serializer, string compression, bool encrypt)
    {
        var key = KeyOf((serializer, compression, encrypt));
        var golden = await ReadGoldenAsync(set, key);
        await using var provider = BuildCache(Prefix);
        await PutRawAsync($"{Prefix}:{key}", golden);
        var read = await provider.GetRequiredService<ICache>().TryGetAsync<Order>(key, new CacheEntryOptions { Serializer = serializer, Encrypt = encrypt });
        using (Assert.EnterMultipleScope())
        {
            Assert.That((golden[4] & 4) != 0, Is.EqualTo(set == Typed), "the typed set records the type fingerprint, the other does not");
            Assert.That(JsonSerializer.Serialize(read.Value), Is.EqualTo(JsonSerializer.Serialize(Orders.Medium())));
        }
    }

    /// <summary>The fingerprint in a stored entry keeps another type from reading it, whichever codec and encryption it went through.</summary>
    [TestCaseSource(nameof(TypedCases))]
    public async Task A_typed_golden_entry_read_as_another_type_is_a_miss(string serializer, string compression, bool encrypt)
    {
        var key = KeyOf((serializer, compression, encrypt));
        await using var provider = BuildCache(Prefix);
        await PutRawAsync($"{Prefix}:{key}", await ReadGoldenAsync(Typed, key));
        var read = await provider.GetRequiredService<ICache>().TryGetAsync<LineItem>(key, new CacheEntryOptions { Serializer = serializer, Encrypt = encrypt });
        Assert.That(read.HasValue, Is.False);
    }

    private static IEnumerable<TestCaseData> TypedCases() =>
        All().Select(c => new TestCaseData(c.Serializer, c.Compression, c.Encrypt).SetName($"another type misses {KeyOf(c)}"));

    private static void WriteOnce(string set, string key, byte[] bytes, [CallerFilePath] string sourceFile = "")
    {
        var path = Path.Combine(Path.GetDirectoryName(sourceFile)!, "..", "Golden", set, key + ".bin");
        if (!File.Exists(path))
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllBytes(path, bytes);
            var copy = Path.Combine(TestContext.CurrentContext.TestDirectory, "Golden", set, key + ".bin");
            Directory.CreateDirectory(Path.GetDirectoryName(copy)!);
            File.WriteAllBytes(copy, bytes);
        }
    }
}
