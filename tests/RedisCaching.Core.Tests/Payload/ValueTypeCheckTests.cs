using System;
using System.Buffers;
using System.Linq;
using System.Threading.Tasks;
using NUnit.Framework;
using RedisCaching.Core.Tests.Connections;
using RedisCaching.Internal.Envelope;
using static RedisCaching.Core.Tests.Cache.CacheTestSupport;
using static RedisCaching.Core.Tests.Payload.PayloadStageSupport;

namespace RedisCaching.Core.Tests.Payload;

/// <summary>
/// Entries record their value type (a fingerprint in the header): a reader of another type gets a counted miss from
/// Redis, and the same from memory, whichever tier answers. Entries without one (older, or another program's) read as
/// before; raw bytes record none.
/// </summary>
public class ValueTypeCheckTests : StandaloneServerFixture
{
    [Test]
    public async Task An_entry_of_another_type_in_the_same_format_is_a_counted_miss_in_both_tiers()
    {
        var options = Options(Server);
        await using var coherent = await CreateCoherentAsync(Server, options);
        var withMemory = coherent.Cache;
        var redisOnly = Engine(options, coherent.Connection);
        await withMemory.SetAsync("thing", new Widget("gear", 3));

        var fromMemory = await withMemory.TryGetAsync<Invoice>("thing");
        var fromRedis = await redisOnly.TryGetAsync<Invoice>("thing");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(fromMemory.HasValue, Is.False, "memory");
            Assert.That(fromRedis.HasValue, Is.False, "Redis");
            Assert.That(redisOnly.Counters.UnreadableEntries, Is.EqualTo(1));
            Assert.That((await withMemory.TryGetAsync<Widget>("thing")).Tier, Is.EqualTo(CacheTier.Memory));
            Assert.That((await redisOnly.TryGetAsync<Widget>("thing")).Value, Is.EqualTo(new Widget("gear", 3)));
        }
    }

    [Test]
    public async Task An_immutable_value_is_not_served_to_a_reader_of_a_base_type_in_either_tier()
    {
        var options = Options(Server);
        await using var coherent = await CreateCoherentAsync(Server, options);
        var redisOnly = Engine(options, coherent.Connection);
        await coherent.Cache.SetAsync("text", "hello");
        using (Assert.EnterMultipleScope())
        {
            Assert.That((await coherent.Cache.TryGetAsync<object>("text")).HasValue, Is.False, "memory");
            Assert.That((await redisOnly.TryGetAsync<object>("text")).HasValue, Is.False, "Redis");
        }
    }

    [Test]
    public async Task A_value_type_and_its_nullable_read_each_other_in_both_tiers()
    {
        var options = Options(Server);
        await using var coherent = await CreateCoherentAsync(Server, options);
        var redisOnly = Engine(options, coherent.Connection);
        await coherent.Cache.SetAsync("count", 5);
        await coherent.Cache.SetAsync<int?>("maybe", 7);
        using (Assert.EnterMultipleScope())
        {
            Assert.That((await coherent.Cache.TryGetAsync<int?>("count")).Value, Is.EqualTo(5));
            Assert.That((await redisOnly.TryGetAsync<int?>("count")).Value, Is.EqualTo(5));
            Assert.That((await coherent.Cache.TryGetAsync<int>("maybe")).Value, Is.EqualTo(7));
            Assert.That((await redisOnly.TryGetAsync<int>("maybe")).Value, Is.EqualTo(7));
        }
    }

    [Test]
    public async Task An_entry_without_a_type_fingerprint_is_read_as_before()
    {
        var options = Options(Server);
        await using var connection = RedisConnectionFactory.Create(options.Redis);
        var cache = Engine(options, connection);
        await cache.SetAsync("thing", new Widget("gear", 3));
        var raw = await RawAsync(connection, cache, "thing");
        Assert.That(raw[4] & 4, Is.EqualTo(4), "written with a fingerprint");

        // The same entry as an older version (or another program) wrote it: no flag, no 4 bytes.
        var untyped = raw[..EnvelopeFormat.FixedHeaderLength].Concat(raw[(EnvelopeFormat.FixedHeaderLength + 4)..]).ToArray();
        untyped[4] &= unchecked((byte)~4);
        await PutRawAsync(connection, cache, "thing", untyped);
        Assert.That((await cache.TryGetAsync<Widget>("thing")).Value, Is.EqualTo(new Widget("gear", 3)));
    }

    [Test]
    public async Task Raw_bytes_record_no_type_and_every_raw_type_reads_them()
    {
        var options = Options(Server);
        await using var connection = RedisConnectionFactory.Create(options.Redis);
        var cache = Engine(options, connection);
        await cache.SetAsync("blob", new byte[] { 1, 2, 3 });
        var raw = await RawAsync(connection, cache, "blob");
        var asSequence = await cache.TryGetAsync<ReadOnlySequence<byte>>("blob");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(raw[4] & 4, Is.Zero);
            Assert.That(asSequence.Value.ToArray(), Is.EqualTo(new byte[] { 1, 2, 3 }));
            Assert.That((await cache.TryGetAsync<string>("blob")).HasValue, Is.False, "another format");
        }
    }

    internal sealed record Widget(string Name, int Size);

    internal sealed record Invoice(string Number, decimal Total);
}
