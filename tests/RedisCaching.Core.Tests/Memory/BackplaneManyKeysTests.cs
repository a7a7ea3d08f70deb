using System.Threading.Tasks;
using Microsoft.Extensions.Logging.Abstractions;
using NUnit.Framework;
using RedisCaching.Internal.Memory;
using StackExchange.Redis;
using static RedisCaching.Core.Tests.Memory.MemoryTierTestSupport;

namespace RedisCaching.Core.Tests.Memory;

/// <summary>
/// Keys removed on another connection (RedisCaching.Invalidation's UNLINKs) reach every tier: dropped here at once,
/// and on the backplane published in one v1m message that the other tiers apply key by key.
/// </summary>
public class BackplaneManyKeysTests
{
    private static readonly string[] Odd = ["a|b", "12:34", "9", "x:", "many|pipes|here", "long" + new string('z', 500)];

    [Test]
    public async Task A_batch_of_removed_keys_reaches_the_other_tier_in_one_message()
    {
        await using var server = await StartServerAsync();
        await server.RunCliAsync("ACL", "SETUSER", "notrack", "on", ">notrack-pw", "~*", "&*", "+@all", "-client|tracking");
        var connection = new RedisConnectionOptions { Host = server.Host, Port = server.Port, User = "notrack", Password = "notrack-pw" };
        var prefix = NewPrefix("bp-many");
        // A mechanism test: with the staleness bound on, a lapsed lease would make "!Holds" pass without the message.
        var options = new MemoryTierOptions { MaxStaleness = System.Threading.Timeout.InfiniteTimeSpan };
        await using var first = new CoherentMemoryTier(connection, options, prefix, NullLogger.Instance);
        await using var second = new CoherentMemoryTier(connection, options, prefix, NullLogger.Instance);
        await first.StartAsync(default);
        await second.StartAsync(default);
        Assert.That((first.Mode, second.Mode), Is.EqualTo((CacheCoherenceMode.Backplane, CacheCoherenceMode.Backplane)));
        foreach (var key in Odd)
        {
            Fill(first, prefix + key, "v");
            Fill(second, prefix + key, "v");
        }

        Fill(first, prefix + "kept", "v");
        Fill(second, prefix + "kept", "v");

        await first.AfterForeignRemovalAsync([.. System.Array.ConvertAll(Odd, k => prefix + k)]);

        using (Assert.EnterMultipleScope())
        {
            // Here: at once. There: when the one message arrives.
            Assert.That(System.Array.TrueForAll(Odd, k => !Holds(first, prefix + k)), Is.True);
            Assert.That(await WaitUntilAsync(() => System.Array.TrueForAll(Odd, k => !Holds(second, prefix + k))), Is.Not.Null);
            Assert.That(Holds(second, prefix + "kept") && Holds(first, prefix + "kept"), Is.True);
            Assert.That(second.InvalidationsReceived, Is.EqualTo(Odd.Length));
        }

        // Malformed messages are ignored; the tier keeps working.
        await using var raw = await ConnectionMultiplexer.ConnectAsync($"{server.Host}:{server.Port},user=notrack,password=notrack-pw");
        var channel = RedisChannel.Literal(new MemoryTierOptions().BackplaneChannel.Replace(MemoryTierOptions.PrefixPlaceholder, prefix, System.StringComparison.Ordinal));
        foreach (var message in new[] { "v1m|", "v1m|nohex", "v1m|0123456789abcdef0123456789abcdef|99:short", "v1m|0123456789abcdef0123456789abcdef|x:kept" })
        {
            await raw.GetSubscriber().PublishAsync(channel, message);
        }

        await Task.Delay(200);
        Assert.That(Holds(second, prefix + "kept"), Is.True);
    }
}
