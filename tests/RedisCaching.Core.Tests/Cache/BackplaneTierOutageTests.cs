using System;
using System.Diagnostics;
using System.Threading.Tasks;
using NUnit.Framework;
using RedisCaching.Core.Tests.Connections;
using static RedisCaching.Core.Tests.Cache.CacheTestSupport;

namespace RedisCaching.Core.Tests.Cache;

/// <summary>
/// On the backplane, the other instances hear of a write only from the instance that made it. A write made while that
/// instance's own tier is down (its connections lost, or following a failover) must still reach them: otherwise their
/// memory keeps the old value until its lifetime bound.
/// </summary>
public class BackplaneTierOutageTests : StandaloneServerFixture
{
    [Test]
    public async Task A_write_made_while_the_writers_tier_is_down_still_reaches_the_other_instances_memory()
    {
        Assert.That(await Server.RunCliAsync("ACL", "SETUSER", "notrack-outage", "on", ">notrack-pw", "~*", "&*", "+@all", "-client|tracking"), Is.EqualTo("OK"));
        var options = Options(Server, o => (o.Redis.User, o.Redis.Password, o.ThrowOnRedisFailure) = ("notrack-outage", "notrack-pw", true));
        await using var writer = await CreateCoherentAsync(Server, options);
        await using var reader = await CreateCoherentAsync(Server, options);
        Assert.That((writer.Tier.Mode, reader.Tier.Mode), Is.EqualTo((CacheCoherenceMode.Backplane, CacheCoherenceMode.Backplane)));

        var caught = 0;
        for (var round = 0; round < 3; round++)
        {
            var value = "v" + round;
            await writer.Cache.SetAsync("k", value + ":old");
            while ((await reader.Cache.TryGetAsync<string>("k")) is not { Tier: CacheTier.Memory } held || held.Value != value + ":old")
            {
                await Task.Delay(5);
            }

            // Take the writer's tier down and keep it down: the user is disabled (connections already authenticated,
            // like the main connection's, keep working; new ones are refused), then the tier's connections are killed.
            Assert.That(await Server.RunCliAsync("ACL", "SETUSER", "notrack-outage", "off"), Is.EqualTo("OK"));
            var outagesBefore = writer.Tier.TimesUnavailable;
            Assert.That(await KillTierConnectionsAsync(writer), Is.EqualTo(2), "the tier's interactive and subscription connections");

            // The outage may be too short to see in Mode (the tier can take its still-listed subscription for live);
            // the counter sees every one.
            var stopwatch = Stopwatch.StartNew();
            while (writer.Tier.TimesUnavailable == outagesBefore && stopwatch.Elapsed < TimeSpan.FromSeconds(5))
            {
                await Task.Delay(5);
            }

            caught += writer.Tier.TimesUnavailable > outagesBefore ? 1 : 0;
            await writer.Cache.SetAsync("k", value + ":new");

            var seen = Stopwatch.StartNew();
            string? read;
            do
            {
                read = (await reader.Cache.TryGetAsync<string>("k")).Value;
            }
            while (read != value + ":new" && seen.Elapsed < TimeSpan.FromSeconds(3));

            Assert.That(read, Is.EqualTo(value + ":new"), $"round {round}: the reader kept the old value (writer's tier {writer.Tier.Mode})");
            Assert.That(await Server.RunCliAsync("ACL", "SETUSER", "notrack-outage", "on"), Is.EqualTo("OK"));
            var back = Stopwatch.StartNew();
            while (writer.Tier.Mode != CacheCoherenceMode.Backplane && back.Elapsed < TimeSpan.FromSeconds(10))
            {
                await Task.Delay(10);
            }
        }

        Assert.That(caught, Is.EqualTo(3), "the writer's tier was not down when it wrote: the test proved nothing");
    }

    /// <remarks>
    /// A guard of the outage behaviour for bulk removals. It does not tell the two ways of publishing apart here (the
    /// tier's own connection also gets the message out in this set-up); publishing on the removing connection matters
    /// when the tier's connection is on another node, i.e. while it follows a Sentinel failover.
    /// </remarks>
    [Test]
    public async Task A_bulk_removal_announced_while_the_announcers_tier_is_down_still_reaches_the_other_instances_memory()
    {
        Assert.That(await Server.RunCliAsync("ACL", "SETUSER", "notrack-bulk", "on", ">notrack-pw", "~*", "&*", "+@all", "-client|tracking"), Is.EqualTo("OK"));
        var options = Options(Server, o => (o.Redis.User, o.Redis.Password, o.ThrowOnRedisFailure) = ("notrack-bulk", "notrack-pw", true));
        await using var remover = await CreateCoherentAsync(Server, options);
        await using var reader = await CreateCoherentAsync(Server, options);
        await remover.Cache.SetAsync("k", "old");
        while ((await reader.Cache.TryGetAsync<string>("k")) is not { Tier: CacheTier.Memory, Value: "old" })
        {
            await Task.Delay(5);
        }

        // What RedisCaching.Invalidation does: remove in Redis on the main connection, then announce the removed keys.
        Assert.That(await Server.RunCliAsync("ACL", "SETUSER", "notrack-bulk", "off"), Is.EqualTo("OK"));
        var outagesBefore = remover.Tier.TimesUnavailable;
        Assert.That(await KillTierConnectionsAsync(remover), Is.EqualTo(2));
        var stopwatch = Stopwatch.StartNew();
        while (remover.Tier.TimesUnavailable == outagesBefore && stopwatch.Elapsed < TimeSpan.FromSeconds(5))
        {
            await Task.Delay(5);
        }

        await Server.RunCliAsync("DEL", remover.Cache.RedisKeyOf("k"));
        var announced = await remover.Cache.InvalidateMemoryAsync([remover.Cache.RedisKeyOf("k")]);
        var seen = Stopwatch.StartNew();
        CacheResult<string> read;
        do
        {
            read = await reader.Cache.TryGetAsync<string>("k");
        }
        while (read.HasValue && seen.Elapsed < TimeSpan.FromSeconds(3));

        Assert.That(await Server.RunCliAsync("ACL", "SETUSER", "notrack-bulk", "on"), Is.EqualTo("OK"));
        using (Assert.EnterMultipleScope())
        {
            Assert.That(remover.Tier.TimesUnavailable, Is.GreaterThan(outagesBefore), "the remover's tier was not down: the test proved nothing");
            Assert.That(announced, Is.True);
            Assert.That(read.HasValue, Is.False, "the reader kept serving a removed entry from memory");
        }
    }

    /// <summary>Kills the connections of <paramref name="cache"/>'s tier (its client name), not those of its main connection.</summary>
    private async Task<int> KillTierConnectionsAsync(CoherentCache cache)
    {
        var killed = 0;
        var list = await Server.RunCliAsync("CLIENT", "LIST");
        foreach (var line in list.Split('\n'))
        {
            if (line.Contains(" name=" + cache.Tier.ClientName + " ", StringComparison.Ordinal))
            {
                var id = line.Split(' ')[0]["id=".Length..];
                killed += int.Parse(await Server.RunCliAsync("CLIENT", "KILL", "ID", id), System.Globalization.CultureInfo.InvariantCulture);
            }
        }

        TestContext.Out.WriteLine($"killed {killed} connection(s) named {cache.Tier.ClientName}");
        return killed;
    }
}
