using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading.Tasks;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using NUnit.Framework;
using RedisCaching.Testing;
using StackExchange.Redis;

namespace RedisCaching.Invalidation.Tests;

/// <summary>
/// Namespace (generation), tenant, event and cascade invalidation on a Redis Cluster (three primaries with a replica
/// each), each proven on a second instance's in-process tier (tracking on every primary) and by reading the cluster.
/// </summary>
[Category("HaTopology")]
public sealed class ClusterInvalidationKindsTests : ClusterTest
{
    private static readonly string[] Docs = [.. Enumerable.Range(0, 30).Select(i => $"doc:{i}")];
    private ConnectionMultiplexer _raw = null!;

    protected override string FixtureName => "cluster invalidation kinds";

    protected override async Task OnClusterStartedAsync() =>
        _raw = await ConnectionMultiplexer.ConnectAsync(Cluster.CreateConfigurationOptions());

    protected override async Task OnStoppingAsync()
    {
        if (_raw is not null)
        {
            await _raw.DisposeAsync();
        }
    }

    [Test]
    public async Task Replacing_the_namespace_generation_hides_every_entry_on_the_second_instance()
    {
        var prefix = Waits.NewPrefix();
        await using var first = await StartAsync(prefix, o => o.Keys.Generations = true);
        await using var second = await StartAsync(prefix, o => o.Keys.Generations = true);
        await FillThroughBothAsync(first, second, Docs);
        var generationBefore = (string?)await _raw.GetDatabase().StringGetAsync(prefix + ":!generation");

        Assert.That(await first.Invalidator.InvalidateKeySpaceAsync(), Is.True);

        var dropped = await AllMissAsync(second.Cache, Docs);
        var generationAfter = (string?)await _raw.GetDatabase().StringGetAsync(prefix + ":!generation");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(PrimariesHolding(prefix + ":*doc:*"), Is.EqualTo(3), "the entries live on all three primaries");
            Assert.That(dropped, Is.Not.Null, "the second instance kept serving the old generation");
            Assert.That(generationAfter, Is.Not.EqualTo(generationBefore).And.Not.Null, "the generation token in Redis changed");
        }
    }

    [Test]
    public async Task A_tenants_key_space_is_invalidated_on_the_second_instance_without_touching_another_tenant()
    {
        var prefix = Waits.NewPrefix();
        static void Tenants(IRedisCachingBuilder builder) => builder
            .AddNamedCache("tenant-a", o => o.Keys.Tenant = "a")
            .AddNamedCache("tenant-b", o => o.Keys.Tenant = "b");
        await using var first = await StartAsync(prefix, o => o.Keys.Generations = true, Tenants);
        await using var second = await StartAsync(prefix, o => o.Keys.Generations = true, Tenants);
        var (a1, a2) = (Named(first, "tenant-a"), Named(second, "tenant-a"));
        var (b1, b2) = (Named(first, "tenant-b"), Named(second, "tenant-b"));
        foreach (var key in Docs)
        {
            await a1.SetAsync(key, "a");
            await b1.SetAsync(key, "b");
            Assert.That(await Waits.InMemoryAsync(a2, key) && await Waits.InMemoryAsync(b2, key), Is.True, key);
        }

        Assert.That(await first.Services.GetRequiredKeyedService<ICacheInvalidator>("tenant-a").InvalidateKeySpaceAsync(), Is.True);

        var dropped = await AllMissAsync(a2, Docs);
        var others = await Task.WhenAll(Docs.Select(k => b2.TryGetAsync<string>(k).AsTask()));
        using (Assert.EnterMultipleScope())
        {
            Assert.That(dropped, Is.Not.Null, "the second instance kept serving tenant a's old entries");
            Assert.That(others.Select(r => r.Value), Is.All.EqualTo("b"), "tenant b was invalidated too");
        }
    }

    [Test]
    public async Task An_event_published_with_redis_cli_removes_keys_a_tag_and_a_pattern_on_every_primary()
    {
        var prefix = Waits.NewPrefix();
        static void Rules(IRedisCachingBuilder builder) =>
            builder.MapEvent("requirement.updated", r => r.Arguments("id").Key("requirement:{id}").Tag("requirements").Pattern("user:{id}:*"));
        await using var first = await StartAsync(prefix, register: Rules);
        await using var second = await StartAsync(prefix, register: Rules);
        foreach (var instance in new[] { first, second })
        {
            instance.Services.GetRequiredService<IStartupValidator>().Validate();
            await instance.Services.GetRequiredService<ICacheEventPublisher>().StartListeningAsync();
        }

        string[] users = [.. Enumerable.Range(0, 20).Select(i => $"user:42:{i}")];
        string[] removed = [.. users, "requirement:42", "requirement-list"];
        string[] kept = ["user:43:a", "requirement:43", "other"];
        foreach (var key in removed.Concat(kept))
        {
            await first.Cache.SetAsync(key, "v", key == "requirement-list" ? new CacheEntryOptions { Tags = ["requirements"] } : null);
            Assert.That(await Waits.InMemoryAsync(second.Cache, key), Is.True, key);
        }

        // Any node: a cluster delivers a PUBLISH to the subscribers on every node.
        var channel = first.Services.GetRequiredService<ICacheEventPublisher>().Channel;
        await Cluster.Nodes[0].RunCliAsync("PUBLISH", channel, """{"event":"requirement.updated","args":{"id":42}}""");

        var dropped = await AllMissAsync(second.Cache, removed);
        var leftInRedis = 0;
        foreach (var key in users.Append("requirement:42"))
        {
            leftInRedis += await _raw.GetDatabase().KeyExistsAsync(prefix + ":" + key) ? 1 : 0;
        }

        var keptValues = await Task.WhenAll(kept.Select(k => second.Cache.TryGetAsync<string>(k).AsTask()));
        using (Assert.EnterMultipleScope())
        {
            Assert.That(users.Select(k => _raw.GetServer((RedisKey)(prefix + ":" + k)).EndPoint).Distinct().Count(), Is.EqualTo(3), "the pattern's keys live on all three primaries");
            Assert.That(dropped, Is.Not.Null, "the second instance kept serving removed entries");
            Assert.That(leftInRedis, Is.Zero, "the key and the pattern's keys are gone from the cluster");
            Assert.That(keptValues.Select(r => r.Value), Is.All.EqualTo("v"), "entries the event does not name were invalidated");
        }
    }

    [Test]
    public async Task Invalidating_a_dependency_cascades_across_slots_on_the_second_instance()
    {
        var prefix = Waits.NewPrefix();
        await using var first = await StartAsync(prefix);
        await using var second = await StartAsync(prefix);
        var deps = first.Services.GetRequiredService<ICacheDependencies>();
        string[] chain = ["project:1", "report:1", "summary:1", "digest:1"];
        await first.Cache.SetAsync(chain[0], "v");
        for (var i = 1; i < chain.Length; i++)
        {
            await deps.SetAsync(chain[i], "v", [chain[i - 1]]);
        }

        await first.Cache.SetAsync("other", "o");
        foreach (var key in chain.Append("other"))
        {
            Assert.That(await Waits.InMemoryAsync(second.Cache, key), Is.True, key);
        }

        Assert.That(await deps.InvalidateAsync("project:1"), Is.True);

        var dropped = await AllMissAsync(second.Cache, chain);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(chain.Select(k => _raw.HashSlot(prefix + ":" + k)).Distinct().Count(), Is.EqualTo(chain.Length), "every link in its own slot");
            Assert.That(dropped, Is.Not.Null, "the second instance kept serving part of the chain");
            Assert.That(await _raw.GetDatabase().KeyExistsAsync(prefix + ":project:1"), Is.False, "the key itself is removed from the cluster");
            Assert.That((await second.Cache.TryGetAsync<string>("other")).Value, Is.EqualTo("o"), "an unrelated entry was invalidated");
        }
    }

    private Task<CacheInstance> StartAsync(string prefix, Action<RedisCachingOptions>? adjust = null, Action<IRedisCachingBuilder>? register = null)
    {
        var seeds = string.Join(",", Cluster.SeedEndpoints.Select(e => e.ToString()));
        return CacheInstance.StartAsync(null!, 0, null, null, prefix, o =>
        {
            (o.Redis.Host, o.Redis.Port, o.Redis.ConnectionString) = (null, null, seeds);
            adjust?.Invoke(o);
        }, register);
    }

    private static ICache Named(CacheInstance instance, string name) => instance.Services.GetRequiredKeyedService<ICache>(name);

    private static async Task FillThroughBothAsync(CacheInstance first, CacheInstance second, IEnumerable<string> keys)
    {
        foreach (var key in keys)
        {
            await first.Cache.SetAsync(key, "v");
            Assert.That(await Waits.InMemoryAsync(second.Cache, key), Is.True, key);
        }
    }

    private static Task<TimeSpan?> AllMissAsync(ICache cache, IEnumerable<string> keys) => Waits.UntilAsync(async () =>
    {
        foreach (var key in keys)
        {
            if ((await cache.TryGetAsync<string>(key)).HasValue)
            {
                return false;
            }
        }

        return true;
    });

    /// <summary>How many primaries hold keys matching <paramref name="glob"/> (SCAN on each).</summary>
    private int PrimariesHolding(string glob) =>
        _raw.GetServers().Count(s => !s.IsReplica && s.IsConnected && s.Keys(pattern: glob, pageSize: 500).Any());
}
