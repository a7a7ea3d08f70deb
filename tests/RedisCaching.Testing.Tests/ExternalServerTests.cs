using System;
using System.Threading.Tasks;
using NUnit.Framework;

namespace RedisCaching.Testing.Tests;

/// <summary>
/// REDISCACHING_TEST_REDIS, exercised in-process: the setting goes through <see cref="RedisTestEnvironment"/>,
/// not the environment variable, so parallel tests are not affected.
/// </summary>
public sealed class ExternalServerTests
{
    private IRedisTestServer _real = null!;

    [OneTimeSetUp]
    public async Task StartRealServer() => _real = await TestFactories.Process.StartProcessAsync(RedisTopology.Password);

    [OneTimeTearDown]
    public async Task StopRealServer() => await _real.DisposeAsync();

    [Test]
    public async Task External_configuration_string_serves_the_standalone_topology()
    {
        var factory = new RedisTestServerFactory(TestFactories.Environment with { ExternalConfiguration = _real.ConfigurationString });

        await using var external = await factory.StartAsync(RedisTopology.Standalone);
        await using var redis = await Connect.ToAsync(external);
        var key = RedisTestKeys.NewPrefix() + "k";
        await redis.GetDatabase().StringSetAsync(key, "seen by both");

        using (Assert.EnterMultipleScope())
        {
            Assert.That(external.Kind, Is.EqualTo(RedisTestServerKinds.External));
            Assert.That(external.Port, Is.EqualTo(_real.Port));
            Assert.That(external.Password, Is.EqualTo(_real.Password));
            Assert.That(external.ProcessId, Is.Null);
            Assert.That(await _real.RunCliAsync("GET", key), Is.EqualTo("seen by both"));
            Assert.That(await external.RunCliAsync("GET", key), Is.EqualTo("seen by both"));
        }
    }

    [Test]
    public async Task External_host_and_port_form_is_accepted_and_disposing_leaves_the_server_running()
    {
        await using var plain = await TestFactories.Process.StartProcessAsync(RedisTopology.Standalone);
        var factory = new RedisTestServerFactory(TestFactories.Environment with { ExternalConfiguration = $"127.0.0.1:{plain.Port}" });

        var external = await factory.StartAsync(RedisTopology.Standalone);
        Assert.That(external.ConfigurationString, Does.Contain("abortConnect=false"));
        Assert.That(await external.RunCliAsync("PING"), Is.EqualTo("PONG"));
        await external.DisposeAsync();

        Assert.That(await plain.RunCliAsync("PING"), Is.EqualTo("PONG"));
    }

    [Test]
    public async Task External_server_cannot_be_stopped_restarted_or_paused()
    {
        var factory = new RedisTestServerFactory(TestFactories.Environment with { ExternalConfiguration = _real.ConfigurationString });
        await using var external = factory.ConnectExternal();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(external.StopAsync, Throws.InstanceOf<NotSupportedException>());
            Assert.That(external.RestartAsync, Throws.InstanceOf<NotSupportedException>());
            Assert.That(external.PauseAsync, Throws.InstanceOf<NotSupportedException>());
            Assert.That(external.ResumeAsync, Throws.InstanceOf<NotSupportedException>());
        }
    }

    [Test]
    public async Task Other_topologies_still_start_their_own_server()
    {
        var factory = new RedisTestServerFactory(TestFactories.Environment with { ExternalConfiguration = _real.ConfigurationString, Mode = RedisTestServerMode.Process });

        await using var acl = await factory.StartAsync(RedisTopology.AclUser);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(acl.Kind, Is.EqualTo(RedisTestServerKinds.Process));
            Assert.That(acl.Port, Is.Not.EqualTo(_real.Port));
        }
    }

    [Test]
    public async Task Requiring_server_control_ignores_the_test_on_an_external_server()
    {
        var factory = new RedisTestServerFactory(TestFactories.Environment with { ExternalConfiguration = _real.ConfigurationString });
        await using var external = factory.ConnectExternal();

        var reason = await RedisServerFeatures.GetMissingReasonAsync(external, RedisFeature.ServerControl);

        Assert.That(reason, Does.Contain("external"));
        Assert.That(() => RedisServerFeatures.RequireAsync(external, RedisFeature.ServerControl), Throws.InstanceOf<IgnoreException>().With.Message.EqualTo(reason));
        Assert.That(await RedisServerFeatures.SupportsAsync(_real, RedisFeature.ServerControl), Is.True);
    }
}
