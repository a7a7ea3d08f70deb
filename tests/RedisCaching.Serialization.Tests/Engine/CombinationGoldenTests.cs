using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;
using System.Threading.Tasks;
using Microsoft.Extensions.DependencyInjection;
using NUnit.Framework;
using RedisCaching.Serialization.Tests.Shapes;

namespace RedisCaching.Serialization.Tests.Engine;

/// <summary>
/// One golden entry per serializer x compressor x encryption combination (the medium order, fresh until about 2100,
/// encrypted ones with TEST key 1 of <see cref="Encryption.TestKeys"/> under the Redis key they were written for),
/// written once through <see cref="ICache"/> by this version and committed under Golden/combinations. Each is put
/// back into Redis as it is and must still read: a later version that cannot is a break of stored data.
/// </summary>
public class CombinationGoldenTests : EngineFixture
{
    internal const string Prefix = "golden";

    internal static readonly CacheEntryOptions Durable = new() { Expiration = TimeSpan.FromDays(365 * 74), FailSafeMaxDuration = TimeSpan.Zero };

    internal static IEnumerable<(string Serializer, string Compression, bool Encrypt)> All() =>
        from serializer in new[] { "json", "messagepack" }
        from compression in new[] { "none", "brotli", "gzip", "zlib", "zstd", "lz4" }
        from encrypt in new[] { false, true }
        select (serializer, compression, encrypt);

    internal static string KeyOf((string Serializer, string Compression, bool Encrypt) c) => $"order-{c.Serializer}-{c.Compression}{(c.Encrypt ? "-aesgcm" : "")}";

    private static IEnumerable<TestCaseData> Cases() => All().Select(c => new TestCaseData(c.Serializer, c.Compression, c.Encrypt).SetName($"golden {KeyOf(c)}"));

    [TestCaseSource(nameof(Cases))]
    public async Task A_golden_entry_of_each_combination_still_reads(string serializer, string compression, bool encrypt)
    {
        var key = KeyOf((serializer, compression, encrypt));
        var golden = await File.ReadAllBytesAsync(Path.Combine(TestContext.CurrentContext.TestDirectory, "Golden", "combinations", key + ".bin"));
        await using var provider = BuildCache(Prefix);
        await PutRawAsync($"{Prefix}:{key}", golden);
        var read = await provider.GetRequiredService<ICache>().TryGetAsync<Order>(key, new CacheEntryOptions { Serializer = serializer, Encrypt = encrypt });
        Assert.That(JsonSerializer.Serialize(read.Value), Is.EqualTo(JsonSerializer.Serialize(Orders.Medium())));
    }
}
