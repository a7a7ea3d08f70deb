using System;
using System.Linq;
using System.Threading.Tasks;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using NUnit.Framework;
using RedisCaching;
using RedisCaching.Testing;
using StackExchange.Redis;
using static RedisCaching.Core.Tests.Connections.ConnectionTestSupport;

namespace RedisCaching.Core.Tests.Connections;

/// <summary>The connection layer against one real standalone server shared by the fixture.</summary>
public class ConnectionIntegrationTests : StandaloneServerFixture
{
    [Test]
    public async Task Connects_sets_and_gets_and_reports_connected()
    {
        await using var connection = RedisConnectionFactory.Create(OptionsFor(Server));
        var database = (await connection.GetMultiplexerAsync()).GetDatabase();
        var key = UniqueKey();
        await database.StringSetAsync(key, "v1");
        using (Assert.EnterMultipleScope())
        {
            Assert.That((string?)await database.StringGetAsync(key), Is.EqualTo("v1"));
            Assert.That(connection.Health.Status, Is.EqualTo(RedisConnectionStatus.Connected));
        }
    }

    [Test]
    public async Task Dispose_closes_own_multiplexers_and_reports_disposed()
    {
        var connection = RedisConnectionFactory.Create(OptionsFor(Server));
        var multiplexer = await connection.GetMultiplexerAsync();
        await connection.DisposeAsync();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(multiplexer.IsConnected, Is.False);
            Assert.That(connection.Health.Status, Is.EqualTo(RedisConnectionStatus.Disposed));
            Assert.That(async () => await connection.GetMultiplexerAsync(), Throws.TypeOf<ObjectDisposedException>());
        }
    }

    [Test]
    public async Task A_multiplexer_the_host_owns_is_never_disposed()
    {
        await using var hostMultiplexer = await ConnectionMultiplexer.ConnectAsync(Server.ConfigurationString);
        var connection = RedisConnectionFactory.Wrap(hostMultiplexer);
        Assert.That(await connection.GetMultiplexerAsync(), Is.SameAs(hostMultiplexer));
        await connection.DisposeAsync();
        Assert.That(hostMultiplexer.IsConnected, Is.True);
        Assert.That(async () => await hostMultiplexer.GetDatabase().PingAsync(), Throws.Nothing);
    }

    [Test]
    public async Task A_pool_hands_out_its_multiplexers_in_turn()
    {
        await using var connection = RedisConnectionFactory.Create(OptionsFor(Server, o => o.PoolSize = 3));
        var handedOut = new IConnectionMultiplexer[6];
        for (var i = 0; i < handedOut.Length; i++)
        {
            handedOut[i] = await connection.GetMultiplexerAsync();
        }

        using (Assert.EnterMultipleScope())
        {
            Assert.That(handedOut.Distinct().Count(), Is.EqualTo(3));
            Assert.That(handedOut.All(m => m.IsConnected), Is.True);
        }
    }

    [Test]
    public async Task Starts_without_redis_and_connects_once_it_is_there()
    {
        // Nothing listens on this port yet: the first call must not throw, only report NotConnected/Disconnected.
        await using var late = await Servers.StartAsync(RedisTopology.Standalone);
        await late.StopAsync();
        await using var connection = RedisConnectionFactory.Create(OptionsFor(late));
        var multiplexer = await connection.GetMultiplexerAsync();
        Assert.That(connection.Health.Status, Is.EqualTo(RedisConnectionStatus.Disconnected));
        Assert.That(async () => await multiplexer.GetDatabase().StringGetAsync("k"), Throws.InstanceOf<RedisConnectionException>());

        await late.RestartAsync();
        var elapsed = await EventuallyAsync(() => multiplexer.GetDatabase().PingAsync(), TimeSpan.FromSeconds(15));
        TestContext.Progress.WriteLine($"connected {elapsed.TotalMilliseconds:F0} ms after the server came up");
        Assert.That(connection.Health.Status, Is.EqualTo(RedisConnectionStatus.Connected));
    }

    [Test]
    public async Task AbortOnConnectFail_turns_an_unreachableServer_into_a_typed_error()
    {
        await using var gone = await Servers.StartAsync(RedisTopology.Standalone);
        await gone.StopAsync();
        await using var connection = RedisConnectionFactory.Create(OptionsFor(gone, o =>
        {
            o.AbortOnConnectFail = true;
            o.ConnectTimeout = TimeSpan.FromMilliseconds(500);
        }));
        Assert.That(async () => await connection.GetMultiplexerAsync(), Throws.InstanceOf<RedisConnectionException>());
    }

    [Test]
    public async Task Dependency_injection_reads_the_configuration_section_and_connects()
    {
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().AddInMemoryCollection(new System.Collections.Generic.Dictionary<string, string?>
        {
            ["RedisCaching:Redis:ConnectionString"] = $"redis://{Server.Host}:{Server.Port}",
            ["RedisCaching:Redis:UseEnvironmentVariables"] = "false",
        }).Build());
        services.AddRedisCaching();
        await using var provider = services.BuildServiceProvider();
        var connection = provider.GetRequiredService<IRedisConnection>();
        var database = (await connection.GetMultiplexerAsync()).GetDatabase();
        var key = UniqueKey();
        await database.StringSetAsync(key, "di");
        Assert.That((string?)await database.StringGetAsync(key), Is.EqualTo("di"));
    }

    [Test]
    public async Task A_container_disposed_synchronously_closes_the_connection()
    {
        var services = new ServiceCollection();
        services.AddRedisCaching(o => o.Redis.ConnectionString = $"{Server.Host}:{Server.Port}").WithoutEnvironmentVariables();
        IConnectionMultiplexer multiplexer;
        using (var provider = services.BuildServiceProvider())
        {
            multiplexer = await provider.GetRequiredService<IRedisConnection>().GetMultiplexerAsync();
            Assert.That(multiplexer.IsConnected, Is.True);
        }

        Assert.That(multiplexer.IsConnected, Is.False);
    }

    [Test]
    public async Task Dependency_injection_can_borrow_the_hosts_multiplexer()
    {
        await using var hostMultiplexer = await ConnectionMultiplexer.ConnectAsync(Server.ConfigurationString);
        var services = new ServiceCollection();
        services.AddRedisCaching().UseConnectionMultiplexer(hostMultiplexer);
        await using (var provider = services.BuildServiceProvider())
        {
            var connection = provider.GetRequiredService<IRedisConnection>();
            Assert.That(await connection.GetMultiplexerAsync(), Is.SameAs(hostMultiplexer));
        }

        Assert.That(hostMultiplexer.IsConnected, Is.True, "disposing the container must not close the host's multiplexer");
    }
}
