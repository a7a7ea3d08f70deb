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
        const string User = "notrack-outage";
        var options = await OptionsForUserWithoutTrackingAsync(User);
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

            var outagesBefore = await TakeTierDownAsync(writer, User);
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
            await EnableUserAsync(User);
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
        const string User = "notrack-bulk";
        var options = await OptionsForUserWithoutTrackingAsync(User);
        await using var remover = await CreateCoherentAsync(Server, options);
        await using var reader = await CreateCoherentAsync(Server, options);
        await remover.Cache.SetAsync("k", "old");
        while ((await reader.Cache.TryGetAsync<string>("k")) is not { Tier: CacheTier.Memory, Value: "old" })
        {
            await Task.Delay(5);
        }

        var outagesBefore = await TakeTierDownAsync(remover, User);

        // What RedisCaching.Invalidation does: remove in Redis on the main connection, then announce the removed keys.
        await Server.RunCliAsync("DEL", remover.Cache.RedisKeyOf("k"));
        var announced = await remover.Cache.InvalidateMemoryAsync([remover.Cache.RedisKeyOf("k")]);
        var seen = Stopwatch.StartNew();
        CacheResult<string> read;
        do
        {
            read = await reader.Cache.TryGetAsync<string>("k");
        }
        while (read.HasValue && seen.Elapsed < TimeSpan.FromSeconds(3));

        await EnableUserAsync(User);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(remover.Tier.TimesUnavailable, Is.GreaterThan(outagesBefore), "the remover's tier was not down: the test proved nothing");
            Assert.That(announced, Is.True);
            Assert.That(read.HasValue, Is.False, "the reader kept serving a removed entry from memory");
        }
    }

    /// <summary>
    /// A user that may not turn on client tracking, so the tier runs in Backplane mode; the options of caches that
    /// connect as it (ThrowOnRedisFailure on: a failed write must not pass for a made one).
    /// </summary>
    private async Task<RedisCachingOptions> OptionsForUserWithoutTrackingAsync(string user)
    {
        Assert.That(await Server.RunCliAsync("ACL", "SETUSER", user, "on", ">notrack-pw", "~*", "&*", "+@all", "-client|tracking"), Is.EqualTo("OK"));
        return Options(Server, o => (o.Redis.User, o.Redis.Password, o.ThrowOnRedisFailure) = (user, "notrack-pw", true));
    }

    /// <summary>
    /// Takes <paramref name="cache"/>'s tier down and keeps it down: <paramref name="user"/> is disabled (connections
    /// already authenticated, like the main connection's, keep working; new ones are refused), then the tier's two
    /// connections are killed. Waits up to 5 s for the tier to count the outage (it may be too short to see in Mode:
    /// the tier can take its still-listed subscription for live; the counter sees every one). Returns the tier's
    /// outage count from before, for the caller to tell whether the tier was down.
    /// </summary>
    private async Task<long> TakeTierDownAsync(CoherentCache cache, string user)
    {
        Assert.That(await Server.RunCliAsync("ACL", "SETUSER", user, "off"), Is.EqualTo("OK"));
        var outagesBefore = cache.Tier.TimesUnavailable;
        Assert.That(await KillTierConnectionsAsync(cache), Is.EqualTo(2), "the tier's interactive and subscription connections");
        var stopwatch = Stopwatch.StartNew();
        while (cache.Tier.TimesUnavailable == outagesBefore && stopwatch.Elapsed < TimeSpan.FromSeconds(5))
        {
            await Task.Delay(5);
        }

        return outagesBefore;
    }

    /// <summary>Lets <paramref name="user"/> connect again (the tier comes back on its own).</summary>
    private async Task EnableUserAsync(string user) =>
        Assert.That(await Server.RunCliAsync("ACL", "SETUSER", user, "on"), Is.EqualTo("OK"));

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
