using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using NUnit.Framework;

namespace RedisCaching.Invalidation.Tests;

/// <summary>
/// Lazy tag invalidation through this package: <see cref="ICacheInvalidator.InvalidateTagAsync"/> in either mode, and
/// event rules that choose lazy for a tag (raised in code and published with <c>redis-cli</c>), each seen on a second
/// instance's memory tier.
/// </summary>
public class LazyTagInvalidationTests : ServerFixture
{
    private static readonly CacheEntryOptions Requirements = new() { Tags = ["requirements"] };

    [Test]
    public async Task The_invalidator_marks_a_tag_stale_lazily_and_removes_it_eagerly()
    {
        var prefix = Waits.NewPrefix();
        await using var first = await CacheInstance.StartAsync(Server, prefix);
        await using var second = await CacheInstance.StartAsync(Server, prefix);
        await first.Cache.SetAsync("req:1", "old", Requirements);
        Assert.That(await Waits.InMemoryAsync(second.Cache, "req:1"), Is.True);

        Assert.That(await first.Invalidator.InvalidateTagAsync("requirements", CacheInvalidationMode.Lazy), Is.True);
        Assert.That(await Waits.UntilAsync(async () => (await second.Cache.TryGetAsync<string>("req:1")).IsStale), Is.Not.Null, "the second instance kept serving the entry fresh");

        // The second instance's get-or-set: the old value now, its factory once in the background.
        var calls = 0;
        var read = await second.Cache.GetOrSetAsync("req:1", 0, (_, _, _) => { Interlocked.Increment(ref calls); return new ValueTask<string>("new"); }, Requirements);
        Assert.That((read.Value, read.IsStale), Is.EqualTo(("old", true)));
        Assert.That(await Waits.UntilAsync(async () => await first.Cache.TryGetAsync<string>("req:1") is { IsStale: false, Value: "new" }), Is.Not.Null, "the refresh did not reach the first instance");
        Assert.That(Volatile.Read(ref calls), Is.EqualTo(1));

        Assert.That(await first.Invalidator.InvalidateTagAsync("requirements", CacheInvalidationMode.Eager), Is.True);
        Assert.That(await Waits.UntilAsync(async () => !(await second.Cache.TryGetAsync<string>("req:1")).HasValue), Is.Not.Null, "eager removal left the entry");
        Assert.That(await Server.RunCliAsync("GET", first.KeySpace.KeyPrefix + "!tag:requirements"), Does.Not.Contain(";"));
    }

    [Test]
    public async Task An_event_rule_can_choose_lazy_for_one_tag_and_eager_for_another()
    {
        var prefix = Waits.NewPrefix();
        await using var first = await CacheInstance.StartAsync(Server, prefix, register: b => Rules(b));
        await using var second = await CacheInstance.StartAsync(Server, prefix, register: b => Rules(b));
        await first.Cache.SetAsync("req:1", "lazy", Requirements);
        await first.Cache.SetAsync("list", "eager", new CacheEntryOptions { Tags = ["requirement-lists"] });
        Assert.That(await Waits.InMemoryAsync(second.Cache, "req:1"), Is.True);
        Assert.That(await Waits.InMemoryAsync(second.Cache, "list"), Is.True);

        Assert.That(await Events(first).RaiseAsync("requirement.updated", new Dictionary<string, string> { ["id"] = "1" }), Is.True);

        Assert.That(await Waits.UntilAsync(async () => await second.Cache.TryGetAsync<string>("req:1") is { IsStale: true, Value: "lazy" }), Is.Not.Null, "the lazy tag's entry is not served stale");
        Assert.That(await Waits.UntilAsync(async () => !(await second.Cache.TryGetAsync<string>("list")).HasValue), Is.Not.Null, "the eager tag's entry was not removed");
    }

    [Test]
    public async Task A_lazy_rule_published_with_redis_cli_marks_the_entries_on_every_instance()
    {
        var prefix = Waits.NewPrefix();
        await using var first = await CacheInstance.StartAsync(Server, prefix, register: b => Rules(b));
        await using var second = await CacheInstance.StartAsync(Server, prefix, register: b => Rules(b));
        foreach (var instance in new[] { first, second })
        {
            instance.Services.GetRequiredService<IStartupValidator>().Validate();
            await Events(instance).StartListeningAsync();
        }

        await first.Cache.SetAsync("req:1", "lazy", Requirements);
        Assert.That(await Waits.InMemoryAsync(second.Cache, "req:1"), Is.True);
        Assert.That(await Waits.InMemoryAsync(first.Cache, "req:1"), Is.True);
        var before = await Server.RunCliAsync("GET", first.KeySpace.KeyPrefix + "!tag:requirements");

        Assert.That(await Server.RunCliAsync("PUBLISH", Events(first).Channel, """{"event":"requirement.updated","args":{"id":"1"}}"""), Is.EqualTo("2"));

        foreach (var instance in new[] { first, second })
        {
            Assert.That(await Waits.UntilAsync(async () => (await instance.Cache.TryGetAsync<string>("req:1")).IsStale), Is.Not.Null, "an instance kept serving the entry fresh");
        }

        var after = await Server.RunCliAsync("GET", first.KeySpace.KeyPrefix + "!tag:requirements");
        Assert.That(after, Does.StartWith(before + ";"), "Redis does not hold the replaced token as stale");
    }

    private static IRedisCachingBuilder Rules(IRedisCachingBuilder builder) =>
        builder.MapEvent("requirement.updated", r => r.Arguments("id").Tag("requirements", CacheInvalidationMode.Lazy).Tag("requirement-lists", CacheInvalidationMode.Eager));

    private static ICacheEventPublisher Events(CacheInstance instance) => instance.Services.GetRequiredService<ICacheEventPublisher>();
}
