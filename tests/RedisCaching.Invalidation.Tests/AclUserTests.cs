using System.Threading.Tasks;
using NUnit.Framework;
using RedisCaching.Testing;

namespace RedisCaching.Invalidation.Tests;

/// <summary>
/// Under an ACL user limited to its own keys and without <c>@dangerous</c> commands (no KEYS, FLUSHDB, FLUSHALL,
/// CONFIG, CLIENT LIST: the in-process tier then runs on the backplane), pattern and key space invalidation work.
/// </summary>
public class AclUserTests : ServerFixture
{
    protected override RedisTopology Topology => RedisTopology.AclUser;

    [Test]
    public async Task The_user_cannot_run_keys_or_flushdb()
    {
        using (Assert.EnterMultipleScope())
        {
            Assert.That(await Server.RunCliAsync("KEYS", "*"), Does.Contain("NOPERM"));
            Assert.That(await Server.RunCliAsync("FLUSHDB"), Does.Contain("NOPERM"));
            Assert.That(await Server.RunCliAsync("FLUSHALL"), Does.Contain("NOPERM"));
        }
    }

    [Test]
    public async Task Pattern_invalidation_works_under_the_acl_user()
    {
        // The user may touch app:* only: the prefix is "app", the namespace keeps tests apart.
        var space = Waits.NewPrefix();
        await using var first = await CacheInstance.StartAsync(Server, "app", o => o.Keys.Namespace = space);
        await using var second = await CacheInstance.StartAsync(Server, "app", o => o.Keys.Namespace = space);
        for (var i = 0; i < 100; i++)
        {
            await first.Cache.SetAsync($"user:{i}", "v");
            await first.Cache.SetAsync($"order:{i}", "v");
        }

        Assert.That(await Waits.InMemoryAsync(second.Cache, "user:7"), Is.True);

        var removed = await first.Invalidator.InvalidateByPatternAsync("user:*", new PatternInvalidationOptions { ScanCount = 50 });

        using (Assert.EnterMultipleScope())
        {
            Assert.That(removed, Is.EqualTo(100));
            Assert.That(await CountAsync($"app:{space}:user:*"), Is.Zero);
            Assert.That(await CountAsync($"app:{space}:order:*"), Is.EqualTo(100));
            Assert.That(await Waits.UntilAsync(async () => !(await second.Cache.TryGetAsync<string>("user:7")).HasValue), Is.Not.Null, "the second instance kept its copy");
        }
    }

    [Test]
    public async Task Key_space_invalidation_works_under_the_acl_user()
    {
        var space = Waits.NewPrefix();
        await using var app = await CacheInstance.StartAsync(Server, "app", o => (o.Keys.Namespace, o.Keys.Generations) = (space, true));
        await app.Cache.SetAsync("k", "v");
        Assert.That(await app.Invalidator.InvalidateKeySpaceAsync(), Is.True);
        Assert.That((await app.Cache.TryGetAsync<string>("k")).HasValue, Is.False);
    }
}
