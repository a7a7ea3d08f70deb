using System;
using System.Threading.Tasks;
using NUnit.Framework;
using StackExchange.Redis;

namespace RedisCaching.Testing.Tests;

/// <summary>
/// The container implementation. Runs when an engine is reachable and the image is there
/// (build/prepare-container-mode.sh); otherwise every test is ignored with the reason.
/// </summary>
public sealed class ContainerServerTests
{
    private static readonly RedisTestServerFactory Factory = new(TestFactories.Environment with { Mode = RedisTestServerMode.Container });
    private IRedisTestServer _standalone = null!;

    [OneTimeSetUp]
    public async Task StartContainer()
    {
        try
        {
            _standalone = await Factory.StartContainerAsync(RedisTopology.Standalone);
        }
        catch (RedisContainerUnavailableException ex)
        {
            Assert.Ignore("No container engine for the container tests: " + ex.Message);
        }
    }

    [OneTimeTearDown]
    public async Task StopContainer()
    {
        if (_standalone is not null)
        {
            await _standalone.DisposeAsync();
        }
    }

    [Test]
    public async Task Container_server_answers_and_runs_redis_cli_inside()
    {
        await using var redis = await Connect.ToAsync(_standalone);
        var key = RedisTestKeys.NewPrefix() + "k";
        await redis.GetDatabase().StringSetAsync(key, "in a container");

        using (Assert.EnterMultipleScope())
        {
            Assert.That(_standalone.Kind, Is.EqualTo(RedisTestServerKinds.Container));
            Assert.That(_standalone.ProcessId, Is.Null);
            Assert.That(await _standalone.RunCliAsync("GET", key), Is.EqualTo("in a container"));
            Assert.That(RedisProcessRegistry.RunningContainerCount, Is.GreaterThanOrEqualTo(1));
        }
    }

    [Test]
    public async Task Container_password_and_acl_topologies_enforce_their_credentials()
    {
        await using var password = await Factory.StartAsync(RedisTopology.Password);
        await using var acl = await Factory.StartAsync(RedisTopology.AclUser);
        var noPassword = password.CreateConfigurationOptions();
        noPassword.Password = null;
        await using var aclClient = await Connect.ToAsync(acl);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(password.Kind, Is.EqualTo(RedisTestServerKinds.Container));
            Assert.That(acl.Kind, Is.EqualTo(RedisTestServerKinds.Container));
            Assert.That(async () => await Connect.StrictAsync(noPassword), Throws.InstanceOf<RedisConnectionException>());
            Assert.That(await password.RunCliAsync("PING"), Is.EqualTo("PONG"));
            Assert.That(await aclClient.GetDatabase().StringSetAsync("app:x", "1"), Is.True);
            Assert.That(async () => await aclClient.GetDatabase().StringSetAsync("other:x", "1"),
                Throws.InstanceOf<RedisServerException>().With.Message.Contains("NOPERM"));
        }
    }

    [Test]
    public async Task Container_restart_keeps_the_port_and_the_client_reconnects()
    {
        await using var server = await Factory.StartContainerAsync(RedisTopology.Standalone);
        var port = server.Port;
        await using var redis = await Connect.ToAsync(server);
        var db = redis.GetDatabase();
        await db.PingAsync();

        await server.RestartAsync();

        Assert.That(server.Port, Is.EqualTo(port));
        Assert.That(await Connect.EventuallyAsync(async () => (await db.PingAsync()) > TimeSpan.Zero, TimeSpan.FromSeconds(15)), Is.True);
    }

    [Test]
    public void Container_cannot_be_paused()
    {
        using (Assert.EnterMultipleScope())
        {
            Assert.That(_standalone.PauseAsync, Throws.InstanceOf<NotSupportedException>());
            Assert.That(_standalone.ResumeAsync, Throws.InstanceOf<NotSupportedException>());
        }
    }

    [Test]
    public async Task Container_tls_topologies_trust_only_the_test_ca_and_require_the_client_certificate()
    {
        await using var tls = await Factory.StartContainerAsync(RedisTopology.Tls);
        await using var clientCertificate = await Factory.StartContainerAsync(RedisTopology.TlsClientCertificate);
        var wrongCa = ConfigurationOptions.Parse(tls.ConfigurationString);
        wrongCa.CertificateValidation += RedisTestTls.CreateValidator(tls.Tls!.WrongCaCertificate);
        var noCertificate = ConfigurationOptions.Parse(clientCertificate.ConfigurationString);
        noCertificate.CertificateValidation += RedisTestTls.CreateValidator(clientCertificate.Tls!.CaCertificate);

        await using (var redis = await Connect.StrictAsync(tls.CreateConfigurationOptions()))
        {
            Assert.That(await redis.GetDatabase().PingAsync(), Is.GreaterThan(TimeSpan.Zero));
        }

        await using (var redis = await Connect.StrictAsync(clientCertificate.CreateConfigurationOptions()))
        {
            Assert.That(await redis.GetDatabase().PingAsync(), Is.GreaterThan(TimeSpan.Zero));
        }

        using (Assert.EnterMultipleScope())
        {
            Assert.That(tls.Kind, Is.EqualTo(RedisTestServerKinds.Container));
            Assert.That(async () => await Connect.StrictAsync(wrongCa), Throws.InstanceOf<RedisConnectionException>(), "wrong CA");
            Assert.That(async () => await Connect.StrictAsync(noCertificate), Throws.InstanceOf<RedisConnectionException>(), "no client certificate");
            Assert.That(await clientCertificate.RunCliAsync("PING"), Is.EqualTo("PONG"));
        }
    }
}
