using System.Threading.Tasks;
using NUnit.Framework;
using RedisCaching;
using RedisCaching.Testing;
using StackExchange.Redis;
using static RedisCaching.Core.Tests.Connections.ConnectionTestSupport;

namespace RedisCaching.Core.Tests.Connections;

/// <summary>TLS against real servers with certificates made at test time: validation is on, a custom CA narrows trust.</summary>
public class TlsConnectionTests
{
    private static RedisConnectionOptions TlsOptions(IRedisTestServer server) => OptionsFor(server, o =>
    {
        o.Host = RedisTestTls.ServerHostName;
        o.Tls.Enabled = true;
        o.ConnectTimeout = System.TimeSpan.FromSeconds(2);
    });

    private static async Task<string?> RoundTripAsync(IRedisConnection connection)
    {
        var database = (await connection.GetMultiplexerAsync()).GetDatabase();
        var key = UniqueKey();
        await database.StringSetAsync(key, "over-tls");
        return await database.StringGetAsync(key);
    }

    [Test]
    public async Task Server_signed_by_the_configured_ca_file_is_accepted()
    {
        RedisAvailability.RequireServer();
        await using var server = await Servers.StartAsync(RedisTopology.Tls);
        var options = TlsOptions(server);
        options.Tls.CaCertificatePath = server.Tls!.CaCertificatePath;
        await using var connection = RedisConnectionFactory.Create(options);
        Assert.That(await RoundTripAsync(connection), Is.EqualTo("over-tls"));
    }

    [Test]
    public async Task Server_signed_by_another_ca_is_rejected()
    {
        RedisAvailability.RequireServer();
        await using var server = await Servers.StartAsync(RedisTopology.Tls);
        var options = TlsOptions(server);
        options.Tls.RootCertificate = server.Tls!.WrongCaCertificate;
        await using var connection = RedisConnectionFactory.Create(options);
        Assert.That(async () => await RoundTripAsync(connection), Throws.InstanceOf<RedisConnectionException>());
        // Each reconnect attempt is rejected again; on a loaded machine one may fail at another stage (a timeout
        // before validation), so look at the last failures for a while rather than at one reading.
        var health = connection.Health;
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (health.LastFailure?.Contains("server certificate", System.StringComparison.Ordinal) != true && waited.Elapsed < System.TimeSpan.FromSeconds(5))
        {
            await Task.Delay(50);
            health = connection.Health;
        }

        using (Assert.EnterMultipleScope())
        {
            Assert.That(health.Status, Is.Not.EqualTo(RedisConnectionStatus.Connected));
            Assert.That(health.LastFailure, Does.Contain("server certificate"), "the health says why: the certificate was rejected");
        }
    }

    [Test]
    public async Task Validation_is_on_by_default_so_an_unknown_ca_is_rejected()
    {
        RedisAvailability.RequireServer();
        await using var server = await Servers.StartAsync(RedisTopology.Tls);
        await using var connection = RedisConnectionFactory.Create(TlsOptions(server));
        Assert.That(async () => await RoundTripAsync(connection), Throws.InstanceOf<RedisConnectionException>());
    }

    [Test]
    public async Task Rediss_url_with_the_ca_connects()
    {
        RedisAvailability.RequireServer();
        await using var server = await Servers.StartAsync(RedisTopology.Tls);
        var options = new RedisConnectionOptions
        {
            ConnectionString = $"rediss://{RedisTestTls.ServerHostName}:{server.Port}",
            Tls = { RootCertificate = server.Tls!.CaCertificate },
        };
        await using var connection = RedisConnectionFactory.Create(options);
        Assert.That(await RoundTripAsync(connection), Is.EqualTo("over-tls"));
    }

    [Test]
    public async Task Client_certificate_is_required_and_accepted_when_presented()
    {
        RedisAvailability.RequireServer();
        await using var server = await Servers.StartAsync(RedisTopology.TlsClientCertificate);

        var without = TlsOptions(server);
        without.Tls.RootCertificate = server.Tls!.CaCertificate;
        await using (var refused = RedisConnectionFactory.Create(without))
        {
            Assert.That(async () => await RoundTripAsync(refused), Throws.InstanceOf<RedisConnectionException>());
        }

        var with = TlsOptions(server);
        with.Tls.RootCertificate = server.Tls.CaCertificate;
        with.Tls.ClientCertificatePath = server.Tls.ClientCertificatePath;
        with.Tls.ClientKeyPath = server.Tls.ClientKeyPath;
        await using var accepted = RedisConnectionFactory.Create(with);
        Assert.That(await RoundTripAsync(accepted), Is.EqualTo("over-tls"));
    }

    [Test]
    public async Task Client_certificate_callback_is_used()
    {
        RedisAvailability.RequireServer();
        await using var server = await Servers.StartAsync(RedisTopology.TlsClientCertificate);
        var options = TlsOptions(server);
        options.Tls.RootCertificateCallback = () => server.Tls!.CaCertificate;
        var calls = 0;
        options.Tls.ClientCertificateCallback = () => { calls++; return server.Tls!.ClientCertificate; };
        await using var connection = RedisConnectionFactory.Create(options);
        Assert.That(await RoundTripAsync(connection), Is.EqualTo("over-tls"));
        Assert.That(calls, Is.GreaterThan(0));
    }
}
