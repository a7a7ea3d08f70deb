using System;
using System.Diagnostics;
using System.Threading.Tasks;
using NUnit.Framework;
using RedisCaching;
using RedisCaching.Testing;
using StackExchange.Redis;
using static RedisCaching.Core.Tests.Connections.ConnectionTestSupport;

namespace RedisCaching.Core.Tests.Connections;

/// <summary>Passwords and ACL users against real servers: the right credentials work, wrong ones fail typed and fast.</summary>
public class AuthenticationTests
{
    [Test]
    public async Task Password_server_accepts_the_right_password()
    {
        RedisAvailability.RequireServer();
        await using var server = await Servers.StartAsync(RedisTopology.Password);
        await using var connection = RedisConnectionFactory.Create(OptionsFor(server));
        var database = (await connection.GetMultiplexerAsync()).GetDatabase();
        var key = UniqueKey();
        await database.StringSetAsync(key, "secret-protected");
        Assert.That((string?)await database.StringGetAsync(key), Is.EqualTo("secret-protected"));
    }

    [Test]
    public async Task Wrong_password_fails_fast_with_a_typed_error_that_does_not_contain_it()
    {
        RedisAvailability.RequireServer();
        await using var server = await Servers.StartAsync(RedisTopology.Password);
        const string wrong = "Wrong-Password-123";
        await using var connection = RedisConnectionFactory.Create(OptionsFor(server, o => o.Password = wrong));
        var database = (await connection.GetMultiplexerAsync()).GetDatabase();

        var stopwatch = Stopwatch.StartNew();
        var error = Assert.CatchAsync<RedisConnectionException>(async () => await database.StringGetAsync("k"));
        stopwatch.Stop();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(error!.ToString(), Does.Not.Contain(wrong));
            Assert.That(stopwatch.Elapsed, Is.LessThan(TimeSpan.FromSeconds(3)), "an auth failure is not a hang");
            Assert.That(connection.Health.Status, Is.EqualTo(RedisConnectionStatus.Disconnected));
            Assert.That(connection.Health.LastFailure, Does.Contain("AuthenticationFailure").And.Not.Contain(wrong));
        }

        // The multiplexer keeps retrying both of its connections; each retry reports the attempt's failure (the reason)
        // and an UnableToConnect (none), in either order. The reason must stay what the health says throughout.
        var until = Stopwatch.StartNew();
        while (until.Elapsed < TimeSpan.FromSeconds(1.5))
        {
            Assert.That(connection.Health.LastFailure, Does.Contain("AuthenticationFailure"), "an UnableToConnect replaced the reason");
            await Task.Delay(10);
        }
    }

    [Test]
    public async Task Acl_user_may_use_its_keys_and_gets_a_typed_permission_error_elsewhere()
    {
        RedisAvailability.RequireServer();
        await using var server = await Servers.StartAsync(RedisTopology.AclUser);
        await using var connection = RedisConnectionFactory.Create(OptionsFor(server));
        var database = (await connection.GetMultiplexerAsync()).GetDatabase();
        var allowed = server.Topology.AllowedKeyPrefix + Guid.NewGuid().ToString("N");
        await database.StringSetAsync(allowed, "ok");
        Assert.That((string?)await database.StringGetAsync(allowed), Is.EqualTo("ok"));

        var stopwatch = Stopwatch.StartNew();
        var error = Assert.CatchAsync<RedisServerException>(async () => await database.StringSetAsync("other:" + Guid.NewGuid().ToString("N"), "no"));
        using (Assert.EnterMultipleScope())
        {
            Assert.That(error!.Message, Does.StartWith("NOPERM"));
            Assert.That(stopwatch.Elapsed, Is.LessThan(TimeSpan.FromSeconds(2)));
        }
    }

    [Test]
    public async Task Acl_user_without_dangerous_commands_still_connects()
    {
        // Our connection layer must not depend on CONFIG, KEYS or FLUSHDB, which ACLs and rename-command take away.
        RedisAvailability.RequireServer();
        await using var server = await Servers.StartAsync(RedisTopology.AclUser);
        await using var connection = RedisConnectionFactory.Create(OptionsFor(server));
        var multiplexer = await connection.GetMultiplexerAsync();
        Assert.That(multiplexer.IsConnected, Is.True);
        Assert.That(await server.RunCliAsync("ACL", "DRYRUN", server.User!, "FLUSHDB"), Does.Contain("no permissions").IgnoreCase);
    }
}
