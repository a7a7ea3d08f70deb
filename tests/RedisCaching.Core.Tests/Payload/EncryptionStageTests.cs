using System;
using System.Text;
using System.Threading.Tasks;
using NUnit.Framework;
using RedisCaching.Core.Tests.Connections;
using RedisCaching.Internal.Codecs;
using RedisCaching.Internal.Envelope;
using static RedisCaching.Core.Tests.Cache.CacheTestSupport;
using static RedisCaching.Core.Tests.Payload.PayloadStageSupport;

namespace RedisCaching.Core.Tests.Payload;

/// <summary>
/// The encryption stage and format choice against real Redis: what a profile encrypts is unreadable in Redis, bound
/// to its key and header, and read only by readers that expect it; formats never cross-read.
/// </summary>
public class EncryptionStageTests : StandaloneServerFixture
{
    private static readonly CacheEntryOptions Secret = new() { Profile = "secret" };

    private RedisCachingOptions SecretOptions() => Options(Server, o => o.Profiles["secret"] = new CacheEntryOptions { Encrypt = true });

    [Test]
    public async Task An_encrypted_entry_round_trips_and_redis_never_sees_the_value()
    {
        var options = SecretOptions();
        await using var connection = RedisConnectionFactory.Create(options.Redis);
        var encryptor = new TestEncryptor(1);
        var cache = Engine(options, connection, new CodecSet(options, [], [], encryptor));
        await cache.SetAsync("card", new Card("4111-1111-1111-1111", "Ada"), Secret);

        var raw = await RawAsync(connection, cache, "card");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(KeyIdOf(raw), Is.EqualTo(1));
            Assert.That(Encoding.UTF8.GetString(raw), Does.Not.Contain("4111").And.Not.Contain("Ada"));
            Assert.That((await cache.TryGetAsync<Card>("card", Secret)).Value, Is.EqualTo(new Card("4111-1111-1111-1111", "Ada")));
        }
    }

    [Test]
    public async Task Plain_and_encrypted_entries_never_cross_read()
    {
        var options = SecretOptions();
        await using var connection = RedisConnectionFactory.Create(options.Redis);
        var cache = Engine(options, connection, new CodecSet(options, [], [], new TestEncryptor(1)));
        await cache.SetAsync("plain", "visible");
        await cache.SetAsync("sealed", "hidden", Secret);
        using (Assert.EnterMultipleScope())
        {
            Assert.That((await cache.TryGetAsync<string>("plain", Secret)).HasValue, Is.False, "a profile that encrypts refuses plain bytes someone else could have written");
            Assert.That((await cache.TryGetAsync<string>("sealed")).HasValue, Is.False);
            Assert.That(cache.Counters.UnreadableEntries, Is.EqualTo(2));
        }
    }

    [Test]
    public async Task An_entry_moved_to_another_key_or_with_a_changed_header_or_ciphertext_does_not_decrypt()
    {
        var options = SecretOptions();
        await using var connection = RedisConnectionFactory.Create(options.Redis);
        var cache = Engine(options, connection, new CodecSet(options, [], [], new TestEncryptor(1)));
        await cache.SetAsync("a", "for a only", Secret);
        var raw = await RawAsync(connection, cache, "a");
        await PutRawAsync(connection, cache, "b", raw);

        var longerLife = (byte[])raw.Clone();
        longerLife[17 + 3] ^= 0x01;    // the logical expiry
        await PutRawAsync(connection, cache, "header", longerLife);
        var flipped = (byte[])raw.Clone();
        flipped[^20] ^= 0x80;          // a ciphertext byte
        await PutRawAsync(connection, cache, "body", flipped);

        using (Assert.EnterMultipleScope())
        {
            Assert.That((await cache.TryGetAsync<string>("a", Secret)).Value, Is.EqualTo("for a only"));
            foreach (var key in new[] { "b", "header", "body" })
            {
                Assert.That((await cache.TryGetAsync<string>(key, Secret)).HasValue, Is.False, key);
            }

            Assert.That(cache.Counters.UnreadableEntries, Is.EqualTo(3));
        }
    }

    [Test]
    public async Task Rotating_the_active_key_keeps_older_entries_readable_and_unknown_keys_are_misses()
    {
        var options = SecretOptions();
        await using var connection = RedisConnectionFactory.Create(options.Redis);
        var encryptor = new TestEncryptor(1, 2);
        var cache = Engine(options, connection, new CodecSet(options, [], [], encryptor));
        await cache.SetAsync("old", "one", Secret);
        encryptor.ActiveKeyId = 2;
        await cache.SetAsync("new", "two", Secret);

        var elsewhere = Engine(options, connection, new CodecSet(options, [], [], new TestEncryptor(1, 2)));
        using (Assert.EnterMultipleScope())
        {
            Assert.That(KeyIdOf(await RawAsync(connection, cache, "old")), Is.EqualTo(1));
            Assert.That(KeyIdOf(await RawAsync(connection, cache, "new")), Is.EqualTo(2));
            Assert.That((await cache.TryGetAsync<string>("old", Secret)).Value, Is.EqualTo("one"));
            Assert.That((await cache.TryGetAsync<string>("new", Secret)).Value, Is.EqualTo("two"));
            Assert.That((await elsewhere.TryGetAsync<string>("old", Secret)).HasValue, Is.False, "another ring's key 1 is another key");
        }
    }

    [Test]
    public async Task Compression_then_encryption_round_trips_and_memory_keeps_the_serialized_bytes()
    {
        var options = Options(Server, o => o.Profiles["vault"] = new CacheEntryOptions { Encrypt = true, Compression = "brotli" });
        var encryptor = new TestEncryptor(7);
        await using var coherent = await CreateCoherentAsync(Server, options);
        var cache = CreateCache(options, coherent.Connection, coherent.Tier, new CodecSet(options, [], [], encryptor));
        var vault = new CacheEntryOptions { Profile = "vault" };
        var text = CompressibleText();
        await cache.SetAsync("doc", new Card(text, "x"), vault);

        var raw = await RawAsync(coherent.Connection, cache, "doc");
        var fromMemory = await cache.TryGetAsync<Card>("doc", vault);
        var decryptions = encryptor.Decryptions;
        var fromRedis = await Engine(options, coherent.Connection, new CodecSet(options, [], [], encryptor)).TryGetAsync<Card>("doc", vault);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(CompressorIdOf(raw), Is.EqualTo(1));
            Assert.That(KeyIdOf(raw), Is.EqualTo(7));
            Assert.That(raw, Has.Length.LessThan(text.Length / 4));
            Assert.That(fromMemory.Tier, Is.EqualTo(CacheTier.Memory));
            Assert.That(fromMemory.Value!.Number, Is.EqualTo(text));
            Assert.That(decryptions, Is.Zero, "a memory hit decrypts nothing");
            Assert.That(fromRedis.Value!.Number, Is.EqualTo(text));
        }
    }

    [Test]
    public async Task An_entry_written_in_one_format_is_a_miss_through_another()
    {
        var options = Options(Server, o => o.Profiles["upper"] = new CacheEntryOptions { Serializer = "upper" });
        await using var connection = RedisConnectionFactory.Create(options.Redis);
        var cache = Engine(options, connection, new CodecSet(options, [new UpperCaseStringProvider()], [], null));
        var upper = new CacheEntryOptions { Profile = "upper" };
        await cache.SetAsync("json", "hello");
        await cache.SetAsync("upper", "hello", upper);
        using (Assert.EnterMultipleScope())
        {
            Assert.That((await RawAsync(connection, cache, "upper"))[5], Is.EqualTo(64), "the envelope records the format");
            Assert.That((await cache.TryGetAsync<string>("upper", upper)).Value, Is.EqualTo("HELLO"));
            Assert.That((await cache.TryGetAsync<string>("json", upper)).HasValue, Is.False);
            Assert.That((await cache.TryGetAsync<string>("upper")).HasValue, Is.False);
            Assert.That(cache.Counters.UnreadableEntries, Is.EqualTo(2));
        }
    }

    [Test]
    public void A_format_that_cannot_store_a_type_says_which_type_and_why()
    {
        var options = Options(Server, o => o.Profiles["upper"] = new CacheEntryOptions { Serializer = "upper" });
        using var connection = RedisConnectionFactory.Create(options.Redis);
        var cache = Engine(options, connection, new CodecSet(options, [new UpperCaseStringProvider()], [], null));
        Assert.That(
            async () => await cache.SetAsync("n", new Card("1", "2"), new CacheEntryOptions { Profile = "upper" }),
            Throws.InstanceOf<NotSupportedException>().With.Message.Contains(nameof(Card)));
    }

    private sealed record Card(string Number, string Holder);
}
