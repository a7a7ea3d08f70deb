using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json;
using System.Threading.Tasks;
using Microsoft.Extensions.DependencyInjection;
using NUnit.Framework;
using RedisCaching.Serialization.Tests.Shapes;

namespace RedisCaching.Serialization.Tests.Engine;

/// <summary>
/// Every serializer x compressor x encryption combination through <see cref="ICache"/> against real Redis: each shape
/// comes back equal, and the entry's header records exactly the choices made (format, codec when the payload was
/// worth compressing, key id).
/// </summary>
public class CombinationTests : EngineFixture
{
    private static readonly string[] Serializers = ["json", "messagepack"];
    private static readonly string[] Compressions = ["none", "brotli", "gzip", "zlib", "zstd", "lz4"];

    private static IEnumerable<TestCaseData> Combinations() =>
        from serializer in Serializers
        from compression in Compressions
        from encrypt in new[] { false, true }
        select new TestCaseData(serializer, compression, encrypt).SetName($"{serializer} + {compression}{(encrypt ? " + AES-GCM" : "")}");

    [TestCaseSource(nameof(Combinations))]
    public async Task Every_shape_round_trips_and_the_header_records_the_choices(string serializer, string compression, bool encrypt)
    {
        var prefix = "combo" + Guid.NewGuid().ToString("N")[..8];
        await using var provider = BuildCache(prefix);
        var cache = provider.GetRequiredService<ICache>();
        var options = new CacheEntryOptions { Serializer = serializer, Compression = compression, Encrypt = encrypt };

        await cache.SetAsync("small", Orders.Small(), options);
        await cache.SetAsync("medium", Orders.Medium(), options);
        await cache.SetAsync("large", Orders.Large(), options);
        await cache.SetAsync("text", string.Concat(Enumerable.Repeat("lorem ipsum dolor sit amet ", 400)), options);
        await cache.SetAsync("numbers", Enumerable.Range(0, 5000).ToList(), options);

        var large = await RawAsync($"{prefix}:large");
        var small = await RawAsync($"{prefix}:small");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(Json((await cache.TryGetAsync<Order>("small", options)).Value), Is.EqualTo(Json(Orders.Small())));
            Assert.That(Json((await cache.TryGetAsync<Order>("medium", options)).Value), Is.EqualTo(Json(Orders.Medium())));
            Assert.That(Json((await cache.TryGetAsync<Order>("large", options)).Value), Is.EqualTo(Json(Orders.Large())));
            Assert.That((await cache.TryGetAsync<string>("text", options)).Value, Has.Length.EqualTo(400 * 27));
            Assert.That((await cache.TryGetAsync<List<int>>("numbers", options)).Value, Is.EqualTo(Enumerable.Range(0, 5000)));

            Assert.That(large[5], Is.EqualTo(serializer == "json" ? 1 : 3), "serializer id");
            Assert.That(large[6], Is.EqualTo(CodecId(compression)), "a large order always compresses by more than 10%");
            Assert.That(small[6], Is.Zero, "a small order stays below the 1 KiB threshold");
            Assert.That(BitConverter.ToUInt16(large, 7), Is.EqualTo(encrypt ? 1 : 0), "key id");
        }
    }

    private static int CodecId(string compression) => Array.IndexOf(Compressions, compression);

    private static string Json<T>(T value) => JsonSerializer.Serialize(value);
}
