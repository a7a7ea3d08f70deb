using System.Threading.Tasks;
using NUnit.Framework;
using StackExchange.Redis;

namespace RedisCaching.Testing.Tests;

/// <summary>Each topology through the default factory, so container mode covers the ones it supports.</summary>
public sealed class TopologyTests
{
    [TestCaseSource(typeof(RedisTopology), nameof(RedisTopology.All))]
    public async Task Each_topology_starts_and_answers(RedisTopology topology)
    {
        await using var server = await RedisTestServers.StartAsync(topology);
        await using var redis = await Connect.ToAsync(server);
        var db = redis.GetDatabase();
        var key = RedisTestKeys.NewPrefix() + "k";

        await db.StringSetAsync(key, "v");

        using (Assert.EnterMultipleScope())
        {
            Assert.That((string?)await db.StringGetAsync(key), Is.EqualTo("v"));
            Assert.That(await server.RunCliAsync("GET", key), Is.EqualTo("v"));
            Assert.That(server.UsesTls, Is.EqualTo(topology.UsesTls));
            Assert.That(server.Tls, topology.UsesTls ? Is.Not.Null : Is.Null);
        }
    }

    [Test]
    public async Task Password_topology_refuses_a_client_without_the_password()
    {
        await using var server = await RedisTestServers.StartAsync(RedisTopology.Password);
        Assert.That(server.Password, Is.Not.Null.And.Length.EqualTo(32));
        var withoutPassword = server.CreateConfigurationOptions();
        withoutPassword.Password = null;

        Assert.That(async () => await Connect.StrictAsync(withoutPassword), Throws.InstanceOf<RedisConnectionException>());
        Assert.That(await server.RunCliAsync("PING"), Is.EqualTo("PONG"));
    }

    [Test]
    public async Task Acl_user_may_write_its_keys_and_gets_NOPERM_elsewhere()
    {
        await using var server = await RedisTestServers.StartAsync(RedisTopology.AclUser);
        Assert.That(server.User, Is.EqualTo(RedisTopology.AclUser.AclUserName));
        var options = Connect.Fast(server.CreateConfigurationOptions());
        options.AllowAdmin = true; // so FLUSHDB reaches the server, which must refuse it
        await using var redis = await ConnectionMultiplexer.ConnectAsync(options);
        var db = redis.GetDatabase();

        Assert.That(await db.StringSetAsync("app:x", "1"), Is.True);
        Assert.That(async () => await db.StringSetAsync("other:x", "1"),
            Throws.InstanceOf<RedisServerException>().With.Message.Contains("NOPERM"));
        // -@dangerous: no FLUSHDB for the application user.
        Assert.That(async () => await db.ExecuteAsync("FLUSHDB"),
            Throws.InstanceOf<RedisServerException>().With.Message.Contains("NOPERM"));
    }

    [Test]
    public async Task Acl_topology_disables_the_default_user()
    {
        await using var server = await RedisTestServers.StartAsync(RedisTopology.AclUser);
        var asDefaultUser = server.CreateConfigurationOptions();
        asDefaultUser.User = null;
        asDefaultUser.Password = null;

        Assert.That(async () => await Connect.StrictAsync(asDefaultUser), Throws.InstanceOf<RedisConnectionException>());
    }

    [Test]
    public async Task Tls_topology_connects_with_the_trusted_ca_and_fails_with_the_wrong_one()
    {
        await using var server = await RedisTestServers.StartAsync(RedisTopology.Tls);
        await using (var redis = await Connect.StrictAsync(server.CreateConfigurationOptions()))
        {
            Assert.That(await redis.GetDatabase().PingAsync(), Is.GreaterThan(System.TimeSpan.Zero));
        }

        var wrongCa = ConfigurationOptions.Parse(server.ConfigurationString);
        wrongCa.CertificateValidation += RedisTestTls.CreateValidator(server.Tls!.WrongCaCertificate);
        var plainText = ConfigurationOptions.Parse(server.ConfigurationString);
        plainText.Ssl = false;

        Assert.That(async () => await Connect.StrictAsync(wrongCa), Throws.InstanceOf<RedisConnectionException>(), "wrong CA");
        Assert.That(async () => await Connect.StrictAsync(plainText), Throws.InstanceOf<RedisConnectionException>(), "no TLS");
    }

    [Test]
    public async Task Client_certificate_topology_requires_a_certificate_from_the_test_ca()
    {
        await using var server = await RedisTestServers.StartAsync(RedisTopology.TlsClientCertificate);
        var tls = server.Tls!;
        var noCertificate = ConfigurationOptions.Parse(server.ConfigurationString);
        noCertificate.CertificateValidation += RedisTestTls.CreateValidator(tls.CaCertificate);
        var foreignCertificate = ConfigurationOptions.Parse(server.ConfigurationString);
        foreignCertificate.CertificateValidation += RedisTestTls.CreateValidator(tls.CaCertificate);
        foreignCertificate.CertificateSelection += (_, _, _, _, _) => tls.WrongCaClientCertificate;

        Assert.That(async () => await Connect.StrictAsync(noCertificate), Throws.InstanceOf<RedisConnectionException>(), "no client certificate");
        Assert.That(async () => await Connect.StrictAsync(foreignCertificate), Throws.InstanceOf<RedisConnectionException>(), "certificate from another CA");
        await using var redis = await Connect.StrictAsync(server.CreateConfigurationOptions());
        Assert.That(await redis.GetDatabase().PingAsync(), Is.GreaterThan(System.TimeSpan.Zero));
    }
}
