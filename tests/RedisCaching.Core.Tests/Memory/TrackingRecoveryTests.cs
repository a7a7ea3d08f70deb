using System;
using System.Threading;
using System.Threading.Tasks;
using NUnit.Framework;
using RedisCaching.Internal.Memory;
using RedisCaching.Testing;
using StackExchange.Redis;
using static RedisCaching.Core.Tests.Memory.MemoryTierTestSupport;

namespace RedisCaching.Core.Tests.Memory;

/// <summary>Killed connections, a restarted server and server-side eviction: L1 flushes, recovers, and invalidations flow again.</summary>
public class TrackingRecoveryTests
{
    [TestCase("CLIENT KILL TYPE normal")]
    [TestCase("CLIENT KILL TYPE pubsub")]
    [TestCase("server restart")]
    public async Task Tier_flushes_goes_unavailable_and_comes_back_to_tracking(string fault)
    {
        await using var server = await StartServerAsync();
        var prefix = NewPrefix("recover");
        await using var tier = await StartTierAsync(server, prefix);
        await using var writer = await ConnectionMultiplexer.ConnectAsync(server.CreateConfigurationOptions());
        var key = prefix + "k";
        Fill(tier, key, "v");
        var flushesBefore = tier.Flushes;
        var unavailableBefore = tier.TimesUnavailable;

        // Watch the mode from the side: the Unavailable phase may be short.
        using var watching = new CancellationTokenSource();
        var sawUnavailable = 0;
        var watcher = Task.Run(async () =>
        {
            while (!watching.IsCancellationRequested)
            {
                if (tier.Mode == CacheCoherenceMode.Unavailable)
                {
                    Interlocked.Exchange(ref sawUnavailable, 1);
                }

                await Task.Yield();
            }
        });

        switch (fault)
        {
            case "server restart":
                await server.RestartAsync();
                break;
            default:
                await server.RunCliAsync([.. fault.Split(' ')]);
                break;
        }

        var recovered = await WaitUntilAsync(() => tier.Reenables >= 1 && tier.Mode == CacheCoherenceMode.Tracking, TimeSpan.FromSeconds(15));
        await watching.CancelAsync();
        await watcher;
        TestContext.Progress.WriteLine($"{fault}: tracking again after {recovered?.TotalMilliseconds:F0} ms (flushes +{tier.Flushes - flushesBefore})");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(recovered, Is.Not.Null, $"mode {tier.Mode}, re-enables {tier.Reenables}");
            Assert.That(tier.Flushes, Is.GreaterThan(flushesBefore));
            Assert.That(tier.TimesUnavailable, Is.GreaterThan(unavailableBefore), $"never went Unavailable (a watcher saw it: {Volatile.Read(ref sawUnavailable) == 1})");
            Assert.That(Holds(tier, key), Is.False, "an entry survived the fault");
        }

        // Invalidations flow again on the new connections.
        await AssertInvalidationWorksAsync(tier, writer, key);
    }

    [Test]
    public async Task The_periodic_check_notices_tracking_switched_off_without_any_connection_event()
    {
        await using var server = await StartServerAsync();
        var prefix = NewPrefix("check");
        await using var tier = await StartTierAsync(server, prefix, o => o.RedirectCheckInterval = TimeSpan.FromMilliseconds(100));
        await using var writer = await ConnectionMultiplexer.ConnectAsync(server.CreateConfigurationOptions());
        var key = prefix + "k";
        Fill(tier, key, "v");

        // Same interactive connection as the tracking, and no socket is touched: only the check can find this.
        await tier.WriteDatabase.ExecuteAsync("CLIENT", "TRACKING", "OFF");
        var recovered = await WaitUntilAsync(() => tier.Reenables >= 1 && tier.Mode == CacheCoherenceMode.Tracking);
        TestContext.Progress.WriteLine($"tracking switched off: found and re-enabled after {recovered?.TotalMilliseconds:F0} ms");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(recovered, Is.Not.Null);
            Assert.That(Holds(tier, key), Is.False, "the entry survived a period without invalidations");
        }

        await AssertInvalidationWorksAsync(tier, writer, key);
    }

    [Test]
    public async Task A_tier_started_while_the_server_is_down_holds_nothing_until_tracking_is_up()
    {
        await using var server = await StartServerAsync();
        await server.StopAsync();
        var prefix = NewPrefix("down");
        await using var tier = await StartTierAsync(server, prefix, adjustConnection: o => o.ConnectTimeout = TimeSpan.FromMilliseconds(500));
        var key = prefix + "k";
        using (Assert.EnterMultipleScope())
        {
            Assert.That(tier.Mode, Is.EqualTo(CacheCoherenceMode.Unavailable));
            Assert.That(tier.CompleteFill(key, tier.BeginFill(key), Entry("v")), Is.False, "a fill was accepted without an invalidation stream");
            Assert.That(Holds(tier, key), Is.False);
        }

        await server.RestartAsync();
        await WaitForModeAsync(tier, CacheCoherenceMode.Tracking);
        await using var writer = await ConnectionMultiplexer.ConnectAsync(server.CreateConfigurationOptions());
        await AssertInvalidationWorksAsync(tier, writer, key);
    }

    [Test]
    public void Tracking_info_problems_are_recognised()
    {
        using (Assert.EnterMultipleScope())
        {
            Assert.That(new TrackingInfo(["on", "bcast", "noloop"], 7).Problem(7), Is.Null);
            Assert.That(new TrackingInfo(["on", "bcast", "broken_redirect"], 7).Problem(7), Is.Not.Null);
            Assert.That(new TrackingInfo(["off"], -1).Problem(7), Is.Not.Null);
            Assert.That(new TrackingInfo(["on", "bcast"], 7).Problem(9), Is.Not.Null);
            Assert.That(new TrackingInfo(["on", "bcast"], 7).Problem(null), Is.Not.Null);
        }
    }

    [Test]
    public void Client_list_lines_are_parsed()
    {
        var line = "id=42 addr=127.0.0.1:5000 laddr=127.0.0.1:6379 fd=9 name=RedisCaching:l1:abc age=1 idle=0 flags=P db=0 sub=1 psub=0 ssub=0 multi=-1 cmd=subscribe user=default\n";
        var entry = ClientListEntry.ParseFirst(line);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(entry, Is.EqualTo(new ClientListEntry(42, "RedisCaching:l1:abc", "P", 1)));
            Assert.That(entry!.Value.IsSubscriber, Is.True);
            Assert.That(ClientListEntry.ParseFirst("id=7 name= flags=N sub=0")!.Value.IsSubscriber, Is.False);
            Assert.That(ClientListEntry.ParseFirst(""), Is.Null);
        }
    }

    [Test]
    public async Task Server_side_eviction_removes_the_entry()
    {
        await using var server = await StartServerAsync();
        var prefix = NewPrefix("evict");
        await using var tier = await StartTierAsync(server, prefix);
        var options = server.CreateConfigurationOptions();
        options.AllowAdmin = true;
        await using var writer = await ConnectionMultiplexer.ConnectAsync(options);
        var db = writer.GetDatabase();
        var key = prefix + "victim";
        await db.StringSetAsync(key, "v");
        await WaitUntilAsync(() => tier.InvalidationsReceived >= 1);
        Fill(tier, key, "v");

        var endpoint = writer.GetEndPoints()[0];
        var admin = writer.GetServer(endpoint);
        await admin.ConfigSetAsync("maxmemory-policy", "allkeys-lru");
        await admin.ConfigSetAsync("maxmemory", "2mb");
        var filler = new string('x', 10_000);
        var batch = 0;
        while (Holds(tier, key) && batch < 100)
        {
            var writes = new Task[50];
            for (var i = 0; i < writes.Length; i++)
            {
                writes[i] = db.StringSetAsync($"{prefix}fill:{batch}:{i}", filler);
            }

            await Task.WhenAll(writes);
            batch++;
        }

        TestContext.Progress.WriteLine($"eviction: entry gone from L1 after {batch * 50} filler writes");
        Assert.That(await WaitUntilAsync(() => !Holds(tier, key)), Is.Not.Null, "an evicted key stayed in L1");
        Assert.That(await db.KeyExistsAsync(key), Is.False, "the key was not evicted by Redis (the test filled too little)");
    }

    private static async Task AssertInvalidationWorksAsync(CoherentMemoryTier tier, ConnectionMultiplexer writer, string key)
    {
        var db = writer.GetDatabase();
        await ConnectionsReadyAsync(writer);
        await db.StringSetAsync(key, "again");
        var received = tier.InvalidationsReceived;
        await WaitUntilAsync(() => tier.InvalidationsReceived > received, TimeSpan.FromMilliseconds(500));
        Fill(tier, key, "again");
        await db.StringSetAsync(key, "changed");
        Assert.That(await WaitUntilAsync(() => !Holds(tier, key)), Is.Not.Null, "no invalidation after recovery");
    }

    private static async Task ConnectionsReadyAsync(ConnectionMultiplexer writer) =>
        await Connections.ConnectionTestSupport.EventuallyAsync(async () => await writer.GetDatabase().PingAsync(), TimeSpan.FromSeconds(10));
}
