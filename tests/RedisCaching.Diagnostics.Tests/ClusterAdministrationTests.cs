using System;
using System.Globalization;
using System.Linq;
using System.Threading.Tasks;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using NUnit.Framework;
using RedisCaching.Testing;

namespace RedisCaching.Diagnostics.Tests;

/// <summary>Key analysis, the per-node stats and the health check on a Redis Cluster (three primaries with a replica each, one for the fixture).</summary>
/// <remarks>
/// The cache runs with the in-process tier off (<c>Memory:Enabled = false</c>): keeping L1 coherent across a cluster's
/// nodes is another change's work; this checks what the administration reads from every primary.
/// </remarks>
[Category("HaTopology")]
public sealed class ClusterAdministrationTests : ClusterTest
{
    protected override string FixtureName => "cluster diagnostics";

    [Test, Order(1)]
    public async Task Key_analysis_and_stats_read_every_primary_of_a_seeded_cluster_keyspace()
    {
        await using var provider = Build(out var cache, out var admin);
        await SeedAsync(cache);

        var report = await admin.AnalyzeKeysAsync(new KeyAnalysisOptions { ScanCount = 50 });
        var stats = await admin.GetStatsAsync();
        var primaries = await Cluster.GetPrimariesAsync();
        TestContext.Progress.WriteLine($"[cluster diagnostics] analysed {report.KeysRead} keys in {report.Elapsed.TotalMilliseconds:0} ms; stats of {stats.Nodes.Count} nodes");
        var user = report.Groups.Single(g => g.Group == "user");
        var reports = report.Groups.Single(g => g.Group == "report");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(report.Complete, Is.True);
            Assert.That(report.KeysRead, Is.EqualTo(340), "every key of every primary, each once (replicas are not read)");
            Assert.That((user.Keys, user.WithoutTtl), Is.EqualTo((300L, 0L)));
            Assert.That((reports.Keys, reports.TtlADayOrMore), Is.EqualTo((40L, 40L)));
            Assert.That(reports.LargestBytes, Is.GreaterThan(100_000), "MEMORY USAGE reached the node that holds each key");
            Assert.That(stats.Nodes.Select(n => n.Endpoint).Order(), Is.EqualTo(primaries.Select(p => "127.0.0.1:" + p.Port).Order()), "one figure per primary");
            Assert.That(stats.Nodes.Select(n => n.Error), Is.All.Null);
            Assert.That(stats.Nodes.Select(n => n.UsedMemory), Is.All.GreaterThan(0));
        }
    }

    [Test, Order(2)]
    public async Task Health_check_judges_the_fullest_primary_of_theCluster()
    {
        var name = "diag" + Guid.NewGuid().ToString("N")[..10];
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddRedisCaching(o =>
        {
            o.Redis.ConnectionString = string.Join(",", Cluster.SeedEndpoints.Select(e => e.ToString()));

            // Off: L1 coherence across the cluster's nodes is not part of this change (see the class remarks).
            o.Memory.Enabled = false;
        }).WithoutEnvironmentVariables();
        services.AddHealthChecks().AddRedisCaching();
        await using var provider = services.BuildServiceProvider();
        var health = provider.GetRequiredService<HealthCheckService>();
        Assert.That((await health.CheckHealthAsync()).Entries["rediscaching"].Status, Is.EqualTo(HealthStatus.Healthy), "no limit yet");

        // One primary filled to about 95% of a limit (over the default 90%); the other two have none.
        var full = (await Cluster.GetPrimariesAsync())[2];
        var used = long.Parse((await full.RunCliAsync("INFO", "memory")).Split('\n').First(l => l.StartsWith("used_memory:", StringComparison.Ordinal))["used_memory:".Length..].Trim(), CultureInfo.InvariantCulture);
        await full.RunCliAsync("CONFIG", "SET", "maxmemory", ((long)(used / 0.95)).ToString(CultureInfo.InvariantCulture));
        try
        {
            // Several checks: a keyless script lands on any node, and each check must still see the full one.
            for (var i = 0; i < 3; i++)
            {
                var entry = (await health.CheckHealthAsync()).Entries["rediscaching"];
                using (Assert.EnterMultipleScope())
                {
                    Assert.That(entry.Status, Is.EqualTo(HealthStatus.Degraded), entry.Description);
                    Assert.That(entry.Description, Does.Contain("Redis memory"));
                }
            }
        }
        finally
        {
            await full.RunCliAsync("CONFIG", "SET", "maxmemory", "0");
        }
    }

    [Test, Order(3)]
    public async Task After_a_primary_was_killed_and_its_replica_promoted_key_analysis_is_complete_and_stats_include_the_new_primary()
    {
        await using var provider = Build(out var cache, out var admin);
        await SeedAsync(cache);

        // The killed node stays down (and in the cluster's node list, flagged failed, without slots) until the teardown.
        var failover = await Cluster.KillPrimaryAsync((await Cluster.GetPrimariesAsync())[0]);
        var report = await admin.AnalyzeKeysAsync(new KeyAnalysisOptions { ScanCount = 50 });
        var stats = await admin.GetStatsAsync();
        TestContext.Progress.WriteLine($"[cluster diagnostics] after the failover ({failover.Pause.TotalSeconds:0.00} s): analysed {report.KeysRead} keys, complete: {report.Complete}; stats of {string.Join(", ", stats.Nodes.Select(n => n.Endpoint + (n.Error is null ? "" : " (" + n.Error + ")")))}");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(report.Complete, Is.True, "the killed primary serves no slot any more: nothing is missed");
            Assert.That(report.KeysRead, Is.EqualTo(340), "the promoted replica's keys are read too");
            Assert.That(stats.Nodes.Select(n => n.Endpoint), Does.Contain("127.0.0.1:" + failover.NewPrimary.Port));
            Assert.That(stats.Nodes.Where(n => n.Endpoint != "127.0.0.1:" + failover.OldPrimary.Port).Select(n => n.Error), Is.All.Null);
        }
    }

    /// <summary>A host with a named cache on the cluster and its administration.</summary>
    private ServiceProvider Build(out ICache cache, out ICacheAdministration admin)
    {
        var name = "diag" + Guid.NewGuid().ToString("N")[..10];
        var services = new ServiceCollection();
        services.AddRedisCaching(o =>
        {
            o.Redis.ConnectionString = string.Join(",", Cluster.SeedEndpoints.Select(e => e.ToString()));
            o.RedisTimeout = TimeSpan.FromSeconds(5);

            // Off: L1 coherence across the cluster's nodes is not part of this change (see the class remarks).
            o.Memory.Enabled = false;
        }).WithoutEnvironmentVariables().AddAdministration().AddNamedCache(name, n =>
        {
            n.Keys.Prefix = name;
            n.Memory.Enabled = false;
        });
        var provider = services.BuildServiceProvider();
        cache = provider.GetRequiredService<ICacheProvider>().GetCache(name);
        admin = provider.GetRequiredKeyedService<ICacheAdministration>(name);
        return provider;
    }

    /// <summary>300 small users for 10 minutes and 40 large reports for 2 days, spread over the slots of all three primaries.</summary>
    private static async Task SeedAsync(ICache cache)
    {
        for (var i = 0; i < 300; i++)
        {
            await cache.SetAsync("user:" + i, "u" + i, new CacheEntryOptions { Expiration = TimeSpan.FromMinutes(10) });
        }

        var large = new string('r', 100_000);
        for (var i = 0; i < 40; i++)
        {
            await cache.SetAsync("report:" + i, large, new CacheEntryOptions { Expiration = TimeSpan.FromDays(2) });
        }
    }
}
