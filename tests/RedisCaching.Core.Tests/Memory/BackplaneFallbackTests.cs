using System;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.Logging.Abstractions;
using NUnit.Framework;
using RedisCaching.Internal.Memory;
using RedisCaching.Testing;
using StackExchange.Redis;
using static RedisCaching.Core.Tests.Memory.MemoryTierTestSupport;

namespace RedisCaching.Core.Tests.Memory;

/// <summary>Where CLIENT TRACKING is refused (Garnet; an ACL user without client|tracking) the tier uses the backplane.</summary>
public class BackplaneFallbackTests
{
    [Test]
    public async Task Garnet_refuses_tracking_and_the_backplane_carries_our_writes()
    {
        var executable = GarnetProcess.FindExecutable();
        if (executable is null)
        {
            Assert.Ignore("garnet-server is not installed: dotnet tool install -g garnet-server");
        }

        await using var garnet = await GarnetProcess.StartAsync(executable);
        await AssertBackplaneWorksAsync(new RedisConnectionOptions { Host = "127.0.0.1", Port = garnet.Port, CommandTimeout = TimeSpan.FromSeconds(2) });
    }

    [Test]
    public async Task An_acl_user_without_client_tracking_gets_the_backplane()
    {
        await using var server = await StartServerAsync();
        var reply = await server.RunCliAsync("ACL", "SETUSER", "notrack", "on", ">notrack-pw", "~*", "&*", "+@all", "-client|tracking");
        Assert.That(reply, Is.EqualTo("OK"), "this Redis does not take ACL subcommand rules");
        await AssertBackplaneWorksAsync(new RedisConnectionOptions
        {
            Host = server.Host,
            Port = server.Port,
            User = "notrack",
            Password = "notrack-pw",
            CommandTimeout = TimeSpan.FromMilliseconds(500),
        });
    }

    [Test]
    public async Task The_backplane_flushes_and_recovers_after_its_subscription_is_killed()
    {
        await using var server = await StartServerAsync();
        await server.RunCliAsync("ACL", "SETUSER", "notrack", "on", ">notrack-pw", "~*", "&*", "+@all", "-client|tracking");
        var connection = new RedisConnectionOptions { Host = server.Host, Port = server.Port, User = "notrack", Password = "notrack-pw" };
        var prefix = NewPrefix("bp-recover");
        await using var tier = new CoherentMemoryTier(connection, MechanismOptions(), prefix, NullLogger.Instance);
        await using var peer = new CoherentMemoryTier(connection, MechanismOptions(), prefix, NullLogger.Instance);
        await tier.StartAsync(default);
        await peer.StartAsync(default);
        var key = prefix + "k";
        Fill(tier, key, "v");

        await server.RunCliAsync("CLIENT", "KILL", "TYPE", "pubsub");
        Assert.That(await WaitUntilAsync(() => tier.Reenables >= 1 && tier.Mode == CacheCoherenceMode.Backplane, TimeSpan.FromSeconds(10)), Is.Not.Null, $"mode {tier.Mode}");
        Assert.That(Holds(tier, key), Is.False, "an entry survived the lost subscription");
        await WaitForModeAsync(peer, CacheCoherenceMode.Backplane);

        // SE.Redis resubscribes on its own; give it a moment, then the peer's write must reach us again.
        Fill(tier, key, "v");
        var stopwatch = System.Diagnostics.Stopwatch.StartNew();
        while (Holds(tier, key) && stopwatch.Elapsed < TimeSpan.FromSeconds(5))
        {
            await peer.AfterOwnWriteAsync(key);
            await WaitUntilAsync(() => !Holds(tier, key), TimeSpan.FromMilliseconds(100));
        }

        Assert.That(Holds(tier, key), Is.False, "no backplane message after recovery");
    }

    /// <summary>
    /// The staleness bound off: it only ever refuses hits, so with it a "the copy is gone" check would pass whenever
    /// the lease lapsed (LeaseTests cover the bound in backplane mode).
    /// </summary>
    private static MemoryTierOptions MechanismOptions() => new() { MaxStaleness = Timeout.InfiniteTimeSpan };

    private static async Task AssertBackplaneWorksAsync(RedisConnectionOptions connection)
    {
        var prefix = NewPrefix("backplane");
        var options = MechanismOptions();
        await using var first = new CoherentMemoryTier(connection, options, prefix, NullLogger.Instance);
        await using var second = new CoherentMemoryTier(connection, options, prefix, NullLogger.Instance);
        await first.StartAsync(default);
        await second.StartAsync(default);
        Assert.That((first.Mode, second.Mode), Is.EqualTo((CacheCoherenceMode.Backplane, CacheCoherenceMode.Backplane)));

        var key = prefix + "k";
        Fill(first, key, "v1");
        Fill(second, key, "v1");

        // Our own write: the other instance drops its copy, ours stays (we skip our own message).
        var ticket = first.BeginFill(key);
        await first.WriteDatabase.StringSetAsync(key, "v2");
        await first.AfterOwnWriteAsync(key);
        Assert.That(first.CompleteFill(key, ticket, Entry("v2")), Is.True);
        Assert.That(await WaitUntilAsync(() => !Holds(second, key)), Is.Not.Null, "the second instance kept the old value");
        await Task.Delay(100);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(first.TryGet(key, out var entry) ? entry.Value : null, Is.EqualTo("v2"));
            Assert.That(first.InvalidationsReceived, Is.Zero, "our own message invalidated us");
        }

        // And the other direction.
        await second.WriteDatabase.StringSetAsync(key, "v3");
        await second.AfterOwnWriteAsync(key);
        Assert.That(await WaitUntilAsync(() => !Holds(first, key)), Is.Not.Null, "the first instance kept the old value");
    }
}
