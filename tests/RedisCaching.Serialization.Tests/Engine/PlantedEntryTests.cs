using System;
using System.Threading.Tasks;
using Microsoft.Extensions.DependencyInjection;
using NUnit.Framework;

namespace RedisCaching.Serialization.Tests.Engine;

/// <summary>
/// A plain entry planted in Redis (anyone with write access can) in place of an encrypted one, with the real AES-GCM
/// encryptor and the memory tier on: refused by reads that encrypt, whichever tier they would be served from.
/// </summary>
public class PlantedEntryTests : EngineFixture
{
    /// <summary>
    /// A non-encrypting read of the same key and type (another call site, the defaults) accepts the planted entry and
    /// fills memory; the encrypting read must not then be served it from there.
    /// </summary>
    [Test]
    public async Task A_planted_plain_entry_never_reaches_an_encrypting_reader_through_memory()
    {
        var prefix = "p" + Guid.NewGuid().ToString("N")[..8];
        await using var attacker = BuildCache(prefix);
        await using var app = BuildCache(prefix, configure: o => o.Memory.Enabled = true);
        var secret = new CacheEntryOptions { Encrypt = true };
        var cache = app.GetRequiredService<ICache>();

        // The app's encrypted entry, then the attacker's plain one in its place (the attacker could also write the bytes by hand).
        await cache.SetAsync("session", "genuine", secret);
        await attacker.GetRequiredService<ICache>().SetAsync("session", "planted");

        // The attacker's write invalidates the app's encrypted copy in memory asynchronously; until then the encrypting
        // read is (rightly) served that copy.
        var deadline = DateTime.UtcNow.AddSeconds(5);
        while ((await cache.TryGetAsync<string>("session", secret)).HasValue && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
        }

        Assert.That((await cache.TryGetAsync<string>("session", secret)).HasValue, Is.False, "Redis read: refused, as documented");

        // Some other read of the key without encryption (a default-options call site) accepts it and fills memory.
        CacheResult<string> plain;
        while ((plain = await cache.TryGetAsync<string>("session")) is not { Value: "planted", Tier: CacheTier.Memory } && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
        }

        Assert.That((plain.Value, plain.Tier), Is.EqualTo(("planted", CacheTier.Memory)), "the planted entry is in memory now");
        var encrypted = await cache.TryGetAsync<string>("session", secret);
        Assert.That(encrypted.HasValue, Is.False, encrypted.HasValue ? $"the encrypting read got '{encrypted.Value}' from {encrypted.Tier}" : "");
    }
}
