using System.Threading.Tasks;
using Microsoft.Extensions.DependencyInjection;
using NUnit.Framework;

namespace RedisCaching.Diagnostics.Tests;

/// <summary>The stats snapshot of <see cref="ICacheAdministration"/> against a redis-server of this fixture's own.</summary>
[NonParallelizable]
public class AdministrationTests : ServerFixture
{
    [Test]
    public async Task A_snapshot_holds_the_app_counters_and_the_node_figures_with_deltas_from_the_previous_one()
    {
        // AddRedisCaching() again returns the same registration's builder (calling it twice is harmless).
        await using var host = await CacheHost.StartAsync(Server, static (services, _) => services.AddRedisCaching().AddAdministration());
        var admin = host.Services.GetRequiredKeyedService<ICacheAdministration>(host.Name);
        await host.Cache.SetAsync("k", "v");
        for (var i = 0; i < 3; i++)
        {
            Assert.That((await host.Cache.TryGetAsync<string>("k")).Tier, Is.EqualTo(CacheTier.Memory));
        }

        var first = await admin.GetStatsAsync();
        Assert.That(first.Nodes, Has.Count.EqualTo(1));
        var node = first.Nodes[0];
        using (Assert.EnterMultipleScope())
        {
            Assert.That(first.PreviousTakenAt, Is.Null);
            Assert.That(first.Cache.Sets, Is.EqualTo(1));
            Assert.That(first.Cache.MemoryHits, Is.EqualTo(3));
            Assert.That(node.Error, Is.Null);
            Assert.That(node.Endpoint, Does.EndWith(":" + Server.Port));
            Assert.That(node.UsedMemory, Is.GreaterThan(0));
            Assert.That(node.FragmentationRatio, Is.GreaterThan(0));
            Assert.That(node.ConnectedClients, Is.GreaterThanOrEqualTo(2), "the cache's connection and its memory tier's tracking connection");
            Assert.That(node.TrackingClients, Is.GreaterThanOrEqualTo(1), "the memory tier tracks");
            Assert.That(node.KeyspaceMissesDelta, Is.Null, "nothing to compare the first snapshot with");
        }

        // Three misses by another client (redis-cli), between the two snapshots.
        for (var i = 0; i < 3; i++)
        {
            await Server.RunCliAsync("GET", "never-written-" + i);
        }

        var second = await admin.GetStatsAsync();
        var later = second.Nodes[0];
        using (Assert.EnterMultipleScope())
        {
            Assert.That(second.PreviousTakenAt, Is.EqualTo(first.TakenAt));
            Assert.That(later.KeyspaceMissesDelta, Is.GreaterThanOrEqualTo(3));
            Assert.That(later.KeyspaceMissesDelta, Is.EqualTo(later.KeyspaceMisses - node.KeyspaceMisses));
            Assert.That(later.KeyspaceHitsDelta, Is.EqualTo(later.KeyspaceHits - node.KeyspaceHits));
        }
    }
}
