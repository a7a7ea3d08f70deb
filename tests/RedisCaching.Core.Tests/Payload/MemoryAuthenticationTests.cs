using System;
using System.Threading.Tasks;
using NUnit.Framework;
using RedisCaching.Core.Tests.Cache;
using RedisCaching.Core.Tests.Connections;
using RedisCaching.Internal.Codecs;
using RedisCaching.Internal.Engine;
using static RedisCaching.Core.Tests.Cache.CacheTestSupport;
using static RedisCaching.Core.Tests.Payload.PayloadStageSupport;

namespace RedisCaching.Core.Tests.Payload;

/// <summary>
/// A read that encrypts refuses plain entries in memory as it does in Redis: memory entries record whether their bytes
/// were authenticated (decrypted with our key, or written here encrypted), and only those reach such a read.
/// </summary>
public class MemoryAuthenticationTests : StandaloneServerFixture
{
    private static readonly CacheEntryOptions Secret = new() { Encrypt = true };

    /// <summary>The app's encrypted entry, replaced in Redis by a plain one that a non-encrypting read then puts in the app's memory.</summary>
    private async Task<(CoherentCache App, RedisCache App2, RedisCache Attacker)> PlantedAsync(string key)
    {
        var options = Options(Server);
        var coherent = await CreateCoherentAsync(Server, options);
        var encryptor = new TestEncryptor(1);
        var app = CreateCache(options, coherent.Connection, coherent.Tier, new CodecSet(options, [], [], encryptor));
        var attacker = Engine(options, coherent.Connection);
        await app.SetAsync(key, "genuine", Secret);
        await attacker.SetAsync(key, "planted");

        // A read without encryption accepts the plain entry and fills memory with it (once the attacker's write has
        // invalidated the app's own encrypted copy, which arrives asynchronously).
        var deadline = DateTime.UtcNow.AddSeconds(5);
        CacheResult<string> plain;
        while ((plain = await app.TryGetAsync<string>(key)) is not { Value: "planted", Tier: CacheTier.Memory } && DateTime.UtcNow < deadline)
        {
            await Task.Delay(10);
        }

        Assert.That((plain.Value, plain.Tier), Is.EqualTo(("planted", CacheTier.Memory)), "the plain entry is in memory");
        return (coherent, app, attacker);
    }

    [Test]
    public async Task A_planted_plain_entry_in_memory_is_a_counted_miss_for_a_read_that_encrypts()
    {
        var (coherent, app, _) = await PlantedAsync("session");
        await using var __ = coherent;
        var unreadable = app.Counters.UnreadableEntries;
        var read = await app.TryGetAsync<string>("session", Secret);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(read.HasValue, Is.False, read.HasValue ? $"got '{read.Value}' from {read.Tier}" : "");
            Assert.That(app.Counters.UnreadableEntries, Is.EqualTo(unreadable + 1), "Redis refused the plain entry, counted");
            Assert.That((await app.TryGetAsync<string>("session")).Tier, Is.EqualTo(CacheTier.Memory), "a read that does not encrypt still has it");
        }
    }

    [Test]
    public async Task Get_or_set_and_get_many_that_encrypt_never_take_a_planted_entry_from_memory()
    {
        var (coherent, app, _) = await PlantedAsync("profile");
        await using var __ = coherent;
        var fromFactory = await app.GetOrSetAsync("profile", 0, static (_, _, _) => ValueTask.FromResult("fresh"), Secret);
        var many = await app.GetManyAsync<string>(["profile"], Secret);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(fromFactory.Value, Is.EqualTo("fresh"));
            Assert.That(fromFactory.Tier, Is.EqualTo(CacheTier.Factory));
            Assert.That(many[0].Value, Is.EqualTo("fresh"), "the factory's encrypted value replaced the planted one");
        }
    }

    [Test]
    public async Task An_encrypted_write_and_a_decrypted_read_are_served_from_memory_without_allocating()
    {
        var options = Options(Server);
        await using var coherent = await CreateCoherentAsync(Server, options);
        var encryptor = new TestEncryptor(1);
        var app = CreateCache(options, coherent.Connection, coherent.Tier, new CodecSet(options, [], [], encryptor));
        await app.SetAsync("written", "sealed", Secret);
        await Engine(options, coherent.Connection, new CodecSet(options, [], [], encryptor)).SetAsync("elsewhere", "sealed too", Secret);
        Assert.That((await app.TryGetAsync<string>("elsewhere", Secret)).Tier, Is.EqualTo(CacheTier.Redis));

        // The other engine's write reaches our tracking connection asynchronously; a fill racing it is (rightly) refused.
        var deadline = DateTime.UtcNow.AddSeconds(5);
        while ((await app.TryGetAsync<string>("elsewhere", Secret)).Tier != CacheTier.Memory && DateTime.UtcNow < deadline)
        {
            await Task.Delay(10);
        }

        var hits = 0;
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 1000; i++)
        {
            var written = app.TryGetAsync<string>("written", Secret);
            var decrypted = app.TryGetAsync<string>("elsewhere", Secret);
            hits += written.IsCompletedSuccessfully && written.Result.Tier == CacheTier.Memory ? 1 : 0;
            hits += decrypted.IsCompletedSuccessfully && decrypted.Result.Tier == CacheTier.Memory ? 1 : 0;
        }

        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        using (Assert.EnterMultipleScope())
        {
            Assert.That(hits, Is.EqualTo(2000), "both are authenticated memory entries");
            Assert.That(allocated, Is.Zero);
            Assert.That((await app.TryGetAsync<string>("written")).Tier, Is.EqualTo(CacheTier.Memory), "a read that does not encrypt takes them too");
        }
    }
}
