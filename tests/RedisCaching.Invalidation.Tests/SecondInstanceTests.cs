using System;
using System.Linq;
using System.Threading.Tasks;
using NUnit.Framework;
using RedisCaching.Testing;

namespace RedisCaching.Invalidation.Tests;

/// <summary>
/// Every instance's in-process tier drops the removed entries at once, not only the instance that asked: under
/// CLIENT TRACKING (Redis tells each instance about each UNLINK) and on the pub/sub backplane (where the server refuses
/// tracking: an ACL user without client|tracking, or Garnet), where the invalidator publishes each removed batch.
/// </summary>
public class SecondInstanceTests : ServerFixture
{
    [Test]
    public async Task Tracking_the_second_instance_drops_the_removed_entries()
    {
        var prefix = Waits.NewPrefix();
        await using var first = await CacheInstance.StartAsync(Server, prefix);
        await using var second = await CacheInstance.StartAsync(Server, prefix);
        Assert.That((first.KeySpace.CoherenceMode, second.KeySpace.CoherenceMode), Is.EqualTo((CacheCoherenceMode.Tracking, CacheCoherenceMode.Tracking)));
        await AssertSecondInstanceFollowsAsync(first, second);
    }

    [Test]
    public async Task Backplane_with_an_acl_user_without_tracking_the_second_instance_drops_the_removed_entries()
    {
        var reply = await Server.RunCliAsync("ACL", "SETUSER", "notrack", "on", ">notrack-pw", "~*", "&*", "+@all", "-client|tracking");
        Assert.That(reply, Is.EqualTo("OK"));
        var prefix = Waits.NewPrefix();
        await using var first = await CacheInstance.StartAsync(Server.Host, Server.Port, "notrack", "notrack-pw", prefix);
        await using var second = await CacheInstance.StartAsync(Server.Host, Server.Port, "notrack", "notrack-pw", prefix);
        Assert.That((first.KeySpace.CoherenceMode, second.KeySpace.CoherenceMode), Is.EqualTo((CacheCoherenceMode.Backplane, CacheCoherenceMode.Backplane)));
        await AssertSecondInstanceFollowsAsync(first, second);
    }

    [Test]
    public async Task Backplane_on_garnet_the_second_instance_drops_the_removed_entries()
    {
        var executable = GarnetProcess.FindExecutable();
        if (executable is null)
        {
            Assert.Ignore("garnet-server is not installed: dotnet tool install -g garnet-server");
        }

        await using var garnet = await GarnetProcess.StartAsync(executable);
        var prefix = Waits.NewPrefix();
        await using var first = await CacheInstance.StartAsync("127.0.0.1", garnet.Port, null, null, prefix);
        await using var second = await CacheInstance.StartAsync("127.0.0.1", garnet.Port, null, null, prefix);
        Assert.That((first.KeySpace.CoherenceMode, second.KeySpace.CoherenceMode), Is.EqualTo((CacheCoherenceMode.Backplane, CacheCoherenceMode.Backplane)));
        await AssertSecondInstanceFollowsAsync(first, second);
    }

    /// <summary>
    /// The second instance holds 200 matching entries and one other in memory; after the first removes the matches
    /// by pattern, each read on the second is a miss (a memory copy would answer before Redis is asked), while the
    /// other entry is still served from its memory.
    /// </summary>
    internal static async Task AssertSecondInstanceFollowsAsync(CacheInstance first, CacheInstance second)
    {
        var keys = Enumerable.Range(0, 200).Select(i => $"item:{i}").ToArray();
        foreach (var key in keys.Append("keep:1"))
        {
            await first.Cache.SetAsync(key, "v");
            Assert.That(await Waits.InMemoryAsync(second.Cache, key), Is.True, $"{key} is in the second instance's memory before");
        }

        // Small batches, so several backplane messages (or many tracking pushes) carry them.
        var removed = await first.Invalidator.InvalidateByPatternAsync("item:*", new PatternInvalidationOptions { ScanCount = 20 });
        Assert.That(removed, Is.EqualTo(keys.Length));

        var dropped = await Waits.UntilAsync(async () =>
        {
            foreach (var key in keys)
            {
                if ((await second.Cache.TryGetAsync<string>(key)).HasValue)
                {
                    return false;
                }
            }

            return true;
        });
        TestContext.Out.WriteLine($"{second.KeySpace.CoherenceMode}: the second instance missed every removed entry {dropped?.TotalMilliseconds:F1} ms after the call returned");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(dropped, Is.Not.Null, "the second instance kept serving removed entries from memory");
            Assert.That((await second.Cache.TryGetAsync<string>("keep:1")).Tier, Is.EqualTo(CacheTier.Memory), "an entry the pattern did not match left memory");
        }
    }
}
