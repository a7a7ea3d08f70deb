using System.Threading.Tasks;
using NUnit.Framework;

namespace RedisCaching.Testing.Tests;

public sealed class ServerFeaturesTests
{
    [Test]
    public async Task Redis_7_supports_tracking_acl_and_scripting()
    {
        await using var server = await TestFactories.Process.StartProcessAsync(RedisTopology.Standalone);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(await RedisServerFeatures.GetMissingReasonAsync(server, RedisFeature.ClientTracking), Is.Null);
            Assert.That(await RedisServerFeatures.GetMissingReasonAsync(server, RedisFeature.Acl), Is.Null);
            Assert.That(await RedisServerFeatures.GetMissingReasonAsync(server, RedisFeature.Scripting), Is.Null);
            Assert.That(await RedisServerFeatures.GetMissingReasonAsync(server, RedisFeature.PauseResume), Is.Null);
        }
    }

    [Test]
    public async Task A_missing_command_is_reported_with_the_server_reply_and_ignores_the_test()
    {
        // Like Garnet without --lua: the scripting commands do not exist.
        var options = new RedisTestServerOptions { ExtraArguments = ["--rename-command", "EVAL", "", "--rename-command", "EVALSHA", ""] };
        await using var server = await TestFactories.Process.StartProcessAsync(RedisTopology.Standalone, options);

        var reason = await RedisServerFeatures.GetMissingReasonAsync(server, RedisFeature.Scripting);

        Assert.That(reason, Does.Contain("Scripting").And.Contain("unknown command"));
        Assert.That(() => RedisServerFeatures.RequireAsync(server, RedisFeature.Scripting), Throws.InstanceOf<IgnoreException>());
    }
}
