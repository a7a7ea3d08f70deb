using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading.Tasks;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using NUnit.Framework;
using RedisCaching.Testing;

namespace RedisCaching.Invalidation.Tests;

/// <summary>
/// Event rules: <c>requirement.updated</c> with <c>id</c> removes the key <c>requirement:{id}</c>, the tag
/// <c>requirements</c> and the pattern <c>user:{id}:*</c>, raised in app code or published on the channel by
/// <c>redis-cli</c>, and the second instance's memory follows.
/// </summary>
public class EventRuleTests : ServerFixture
{
    private static readonly string[] Removed = ["user:42:a", "user:42:b", "requirement:42", "requirement-list"];
    private static readonly string[] Kept = ["user:43:a", "requirement:43", "other"];

    [Test]
    public async Task Raised_in_app_code_the_rule_removes_in_redis_and_the_second_instance_follows()
    {
        var prefix = Waits.NewPrefix();
        await using var first = await CacheInstance.StartAsync(Server, prefix, register: b => Rules(b));
        await using var second = await CacheInstance.StartAsync(Server, prefix, register: b => Rules(b));
        await FillAsync(first, second);

        var ran = await Events(first).RaiseAsync("requirement.updated", new Dictionary<string, string> { ["id"] = "42" });

        Assert.That(ran, Is.True);
        await AssertRemovedAsync(prefix, second);
        Assert.That(Events(first).MessagesReceived, Is.Zero, "raising in app code runs the rule here and publishes nothing");
    }

    [Test]
    public async Task Published_with_redis_cli_the_rule_runs_once_and_every_instance_follows()
    {
        var prefix = Waits.NewPrefix();
        await using var first = await CacheInstance.StartAsync(Server, prefix, register: b => Rules(b));
        await using var second = await CacheInstance.StartAsync(Server, prefix, register: b => Rules(b));
        await StartListeningAsync(first);
        await StartListeningAsync(second);
        await FillAsync(first, second);

        var receivers = await Server.RunCliAsync("PUBLISH", Events(first).Channel, """{"event":"requirement.updated","args":{"id":42}}""");

        Assert.That(receivers, Is.EqualTo("2"), "both instances are subscribed");
        await AssertRemovedAsync(prefix, second);
        await AssertRunOnceAsync(first, second);
    }

    [Test]
    public async Task On_the_backplane_an_acl_user_without_tracking_the_published_rule_reaches_the_second_instance()
    {
        await Server.RunCliAsync("ACL", "SETUSER", "notrack", "on", ">notrack-pw", "~*", "&*", "+@all", "-client|tracking");
        var prefix = Waits.NewPrefix();
        await using var first = await CacheInstance.StartAsync(Server.Host, Server.Port, "notrack", "notrack-pw", prefix, register: b => Rules(b));
        await using var second = await CacheInstance.StartAsync(Server.Host, Server.Port, "notrack", "notrack-pw", prefix, register: b => Rules(b));
        Assert.That(second.KeySpace.CoherenceMode, Is.EqualTo(CacheCoherenceMode.Backplane));
        await StartListeningAsync(first);
        await StartListeningAsync(second);
        await FillAsync(first, second);

        Assert.That(await Server.RunCliAsync("PUBLISH", Events(first).Channel, """{"event":"requirement.updated","args":{"id":"42"}}"""), Is.EqualTo("2"));

        await AssertRemovedAsync(prefix, second);
        await AssertRunOnceAsync(first, second);
    }

    [Test]
    public async Task Malformed_messages_are_counted_and_logged_without_their_contents_and_listening_goes_on()
    {
        var logs = new ListLoggerProvider();
        var prefix = Waits.NewPrefix();
        await using var first = await CacheInstance.StartAsync(Server, prefix, register: b =>
        {
            Rules(b);
            b.Services.AddLogging(l => l.AddProvider(logs).SetMinimumLevel(LogLevel.Debug));
        });
        await using var second = await CacheInstance.StartAsync(Server, prefix, register: b => Rules(b));
        await StartListeningAsync(first);
        await FillAsync(first, second);
        string[] malformed =
        [
            "not json secret-7",
            """{"event":"requirement.updated"}""",
            """{"event":"requirement.updated","args":{"id":"has space secret-7"}}""",
            """{"event":"requirement.updated","args":{"id":["secret-7"]}}""",
            """{"event":"requirement.updated","args":{"id":"secret-7*"}}""",
            """{"args":{"id":"secret-7"}}""",
            """{"event":"bad name secret-7"}""",
            """["secret-7"]""",
            """{"event":"requirement.updated","args":{"id":"42"}} secret-7""",
        ];
        foreach (var message in malformed)
        {
            await Server.RunCliAsync("PUBLISH", Events(first).Channel, message);
        }

        await Server.RunCliAsync("PUBLISH", Events(first).Channel, """{"event":"no.rule.here","args":{"id":"secret-7"}}""");
        Assert.That(await Waits.UntilAsync(() => Task.FromResult(Events(first).MessagesReceived == malformed.Length + 1)), Is.Not.Null);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(Events(first).MessagesRejected, Is.EqualTo(malformed.Length));
            Assert.That(Events(first).MessagesRun, Is.Zero);
            Assert.That(await RedisKeysAsync(prefix + ":user:42:*"), Has.Count.EqualTo(2), "nothing was removed");
            Assert.That(logs.Entries.Count(e => e.EventId == InvalidationEventIds.EventMessageRejected), Is.EqualTo(malformed.Length));
            Assert.That(logs.Entries.Select(e => e.Message), Has.None.Contains("secret-7"));
        }

        await Server.RunCliAsync("PUBLISH", Events(first).Channel, """{"event":"requirement.updated","args":{"id":"42"},"id":"after-the-garbage"}""");
        await AssertRemovedAsync(prefix, second);
        Assert.That(await Waits.UntilAsync(() => Task.FromResult(Events(first).MessagesRun == 1)), Is.Not.Null, "counted once the rule finished");
    }

    [Test]
    public async Task An_argument_never_widens_a_pattern_and_a_missing_one_is_refused()
    {
        var prefix = Waits.NewPrefix();
        await using var first = await CacheInstance.StartAsync(Server, prefix, register: b => Rules(b).MapEvent("user.changed", r => r.Arguments("id").Pattern("user:{id}:*")));
        await first.Cache.SetAsync("user:42:a", "v");
        await Raw.GetDatabase().StringSetAsync(prefix + ":user:*:a", "v");   // '*' is not allowed in the cache's keys; another program's key

        await Events(first).RaiseAsync("user.changed", new Dictionary<string, string> { ["id"] = "*" });

        using (Assert.EnterMultipleScope())
        {
            Assert.That(await RedisKeysAsync(prefix + ":user:*"), Is.EqualTo(new[] { prefix + ":user:42:a" }), "'*' matched only the key part '*', never user:42:a");
            Assert.That(() => Events(first).RaiseAsync("requirement.updated"), Throws.ArgumentException.With.Message.Contains("'id' is missing"));
            Assert.That(() => Events(first).RaiseAsync("requirement.updated", new Dictionary<string, string> { ["id"] = "a b" }), Throws.ArgumentException);
            Assert.That(() => Events(first).RaiseAsync("requirement.updated", new Dictionary<string, string> { ["id"] = "*" }), Throws.TypeOf<CacheKeyException>(), "'*' is not allowed in the rule's key");
            Assert.That(await Events(first).RaiseAsync("no.rule.here"), Is.False);
        }
    }

    private static IRedisCachingBuilder Rules(IRedisCachingBuilder builder) =>
        builder.MapEvent("requirement.updated", r => r.Arguments("id").Key("requirement:{id}").Tag("requirements").Pattern("user:{id}:*"));

    private static ICacheEventPublisher Events(CacheInstance instance) => instance.Services.GetRequiredService<ICacheEventPublisher>();

    /// <summary>As the generic host does at start (ValidateOnStart starts the subscription), then waits until it is in place.</summary>
    private static async Task StartListeningAsync(CacheInstance instance)
    {
        instance.Services.GetRequiredService<IStartupValidator>().Validate();
        await Events(instance).StartListeningAsync();
    }

    /// <summary>Both instances received the message and exactly one ran it (counted when its rule finished, just after the removals).</summary>
    private static async Task AssertRunOnceAsync(CacheInstance first, CacheInstance second)
    {
        var settled = await Waits.UntilAsync(() => Task.FromResult(
            Events(first).MessagesReceived == 1 && Events(second).MessagesReceived == 1 && Events(first).MessagesRun + Events(second).MessagesRun >= 1));
        Assert.That(settled, Is.Not.Null, "both instances received it and one ran it");
        Assert.That(Events(first).MessagesRun + Events(second).MessagesRun, Is.EqualTo(1), "one instance claimed and ran it");
    }

    private static async Task FillAsync(CacheInstance first, CacheInstance second)
    {
        foreach (var key in Removed.Concat(Kept))
        {
            var tags = key == "requirement-list" ? new CacheEntryOptions { Tags = ["requirements"] } : null;
            await first.Cache.SetAsync(key, "v", tags);
            Assert.That(await Waits.InMemoryAsync(second.Cache, key), Is.True, $"{key} is in the second instance's memory before");
        }
    }

    private async Task AssertRemovedAsync(string prefix, CacheInstance second)
    {
        var dropped = await Waits.UntilAsync(async () =>
        {
            foreach (var key in Removed)
            {
                if ((await second.Cache.TryGetAsync<string>(key)).HasValue)
                {
                    return false;
                }
            }

            return true;
        });
        Assert.That(dropped, Is.Not.Null, "the second instance kept serving removed entries");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(await RedisKeysAsync(prefix + ":user:*"), Is.EqualTo(new[] { prefix + ":user:43:a" }), "the pattern's keys are gone from Redis");
            Assert.That(await RedisKeysAsync(prefix + ":requirement:*"), Is.EqualTo(new[] { prefix + ":requirement:43" }), "the key is gone from Redis");
            Assert.That(await RedisKeysAsync(prefix + ":requirement-list"), Has.Count.EqualTo(1), "a tag leaves its entries in Redis (tokens, not an index)");
            // Still served (not whether from memory: a loaded box may make the engine flush its memory tier, which is correct).
            foreach (var key in Kept)
            {
                Assert.That((await second.Cache.TryGetAsync<string>(key)).Value, Is.EqualTo("v"), $"{key} was invalidated too");
            }
        }
    }
}
