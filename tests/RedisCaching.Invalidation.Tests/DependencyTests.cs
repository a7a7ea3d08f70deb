using System.Collections.Generic;
using System.Threading.Tasks;
using Microsoft.Extensions.DependencyInjection;
using NUnit.Framework;

namespace RedisCaching.Invalidation.Tests;

/// <summary>
/// Dependencies as tags closed over at write time: <c>summary:1</c> depends on <c>report:1</c>, which depends on
/// <c>project:1</c>; invalidating <c>project:1</c> (in code, by a tag, by an event published with redis-cli) reaches
/// both on the second instance, in one tag token.
/// </summary>
public class DependencyTests : ServerFixture
{
    private static readonly string[] Chain = ["project:1", "report:1", "summary:1"];

    [Test]
    public async Task Invalidating_a_key_cascades_down_the_chain_on_the_second_instance()
    {
        var prefix = Waits.NewPrefix();
        await using var first = await CacheInstance.StartAsync(Server, prefix);
        await using var second = await CacheInstance.StartAsync(Server, prefix);
        await WriteChainAsync(first, second);

        var record = await Server.RunCliAsync("GET", prefix + ":!deps:summary:1");
        var recordTtl = long.Parse(await Server.RunCliAsync("PTTL", prefix + ":!deps:summary:1"), System.Globalization.CultureInfo.InvariantCulture);
        Assert.That(record.Split('\n'), Is.EqualTo(new[] { "v1", "2", "dep:report:1", "dep:project:1" }), "summary:1 carries the tags of all it depends on");
        Assert.That(recordTtl, Is.GreaterThan(0), "the record lives as long as its entry");

        Assert.That(await Deps(first).InvalidateAsync("project:1"), Is.True);

        await AssertChainDroppedAsync(second);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(await RedisKeysAsync(prefix + ":project:*"), Is.Empty, "the key itself is removed from Redis");
            Assert.That(await RedisKeysAsync(prefix + ":summary:*"), Has.Count.EqualTo(1), "dependents stay in Redis until their TTL (tags are tokens)");
            Assert.That((await second.Cache.TryGetAsync<string>("other")).Value, Is.EqualTo("o"), "an unrelated entry was invalidated");
        }
    }

    [Test]
    public async Task Removing_a_tag_of_a_dependency_cascades_and_get_or_set_runs_its_factory_again()
    {
        var prefix = Waits.NewPrefix();
        await using var first = await CacheInstance.StartAsync(Server, prefix);
        await using var second = await CacheInstance.StartAsync(Server, prefix);
        await Deps(first).SetAsync("report:1", "r", [], new CacheEntryOptions { Tags = ["reports"] });
        var runs = 0;
        var value = await Deps(first).GetOrSetAsync("summary:1", ["report:1"], 0, (_, _, _) => { runs++; return ValueTask.FromResult("s" + runs); });
        Assert.That((value.Value, runs), Is.EqualTo(("s1", 1)));
        Assert.That((await Deps(first).GetOrSetAsync("summary:1", ["report:1"], 0, (_, _, _) => { runs++; return ValueTask.FromResult("s" + runs); })).Value, Is.EqualTo("s1"), "a hit");
        Assert.That(await Waits.InMemoryAsync(second.Cache, "summary:1"), Is.True);

        await first.Cache.RemoveByTagAsync("reports");

        Assert.That(await Waits.UntilAsync(async () => !(await second.Cache.TryGetAsync<string>("summary:1")).HasValue), Is.Not.Null, "the dependent carries its dependency's tag");
        Assert.That((await Deps(first).GetOrSetAsync("summary:1", ["report:1"], 0, (_, _, _) => { runs++; return ValueTask.FromResult("s" + runs); })).Value, Is.EqualTo("s2"));
    }

    [Test]
    public async Task A_cycle_and_a_chain_past_the_depth_limit_are_refused_and_nothing_is_written()
    {
        var prefix = Waits.NewPrefix();
        await using var first = await CacheInstance.StartAsync(Server, prefix, register: b => b.Services.Configure<CacheDependencyOptions>(o => o.MaxDepth = 2));
        await Deps(first).SetAsync("a", "a1", []);
        await Deps(first).SetAsync("b", "b1", ["a"]);
        await Deps(first).SetAsync("c", "c1", ["b"]);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(() => Deps(first).SetAsync("a", "a2", ["c"]).AsTask(), Throws.TypeOf<CacheDependencyException>().With.Message.Contains("cycle"));
            Assert.That(() => Deps(first).SetAsync("a", "a2", ["a"]).AsTask(), Throws.TypeOf<CacheDependencyException>().With.Message.Contains("itself"));
            Assert.That(() => Deps(first).SetAsync("d", "d1", ["c"]).AsTask(), Throws.TypeOf<CacheDependencyException>().With.Message.Contains("MaxDepth (2)"));
            Assert.That((await first.Cache.TryGetAsync<string>("a")).Value, Is.EqualTo("a1"));
            Assert.That(await RedisKeysAsync(prefix + ":d"), Is.Empty);
        }
    }

    [Test]
    public async Task Outside_redis_cli_an_event_cascades_a_plain_del_does_not()
    {
        var prefix = Waits.NewPrefix();
        static IRedisCachingBuilder Rule(IRedisCachingBuilder b) => b.MapEvent("project.changed", r => r.Arguments("id").Key("project:{id}"));
        await using var first = await CacheInstance.StartAsync(Server, prefix, register: b => Rule(b));
        await using var second = await CacheInstance.StartAsync(Server, prefix, register: b => Rule(b));
        await WriteChainAsync(first, second);

        // A DEL of the key by another program: Redis tells every instance about that key only.
        await Server.RunCliAsync("DEL", prefix + ":project:1");
        Assert.That(await Waits.UntilAsync(async () => !(await second.Cache.TryGetAsync<string>("project:1")).HasValue), Is.Not.Null);
        Assert.That((await second.Cache.TryGetAsync<string>("summary:1")).Value, Is.EqualTo("s"), "a plain DEL does not cascade");

        await second.Services.GetRequiredService<ICacheEventPublisher>().StartListeningAsync();
        Assert.That(await Server.RunCliAsync("PUBLISH", prefix + ":!events:v1", """{"event":"project.changed","args":{"id":"1"}}"""), Is.EqualTo("1"));

        await AssertChainDroppedAsync(second);
    }

    private static ICacheDependencies Deps(CacheInstance instance) => instance.Services.GetRequiredService<ICacheDependencies>();

    private static async Task WriteChainAsync(CacheInstance first, CacheInstance second)
    {
        await first.Cache.SetAsync("project:1", "p");
        await Deps(first).SetAsync("report:1", "r", ["project:1"]);
        await Deps(first).SetAsync("summary:1", "s", ["report:1"]);
        await first.Cache.SetAsync("other", "o");
        foreach (var key in (IEnumerable<string>)[.. Chain, "other"])
        {
            Assert.That(await Waits.InMemoryAsync(second.Cache, key), Is.True, $"{key} is in the second instance's memory before");
        }
    }

    private static async Task AssertChainDroppedAsync(CacheInstance second)
    {
        var dropped = await Waits.UntilAsync(async () =>
        {
            foreach (var key in Chain)
            {
                if ((await second.Cache.TryGetAsync<string>(key)).HasValue)
                {
                    return false;
                }
            }

            return true;
        });
        Assert.That(dropped, Is.Not.Null, "the second instance kept serving part of the chain");
    }
}
