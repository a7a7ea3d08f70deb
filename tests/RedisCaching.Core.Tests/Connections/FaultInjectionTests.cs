using System;
using System.Diagnostics;
using System.Linq;
using System.Threading.Tasks;
using NUnit.Framework;
using RedisCaching;
using RedisCaching.Testing;
using StackExchange.Redis;
using static RedisCaching.Core.Tests.Connections.ConnectionTestSupport;

namespace RedisCaching.Core.Tests.Connections;

/// <summary>
/// Network faults between client and server, injected by the test proxy: a black hole fails calls within their
/// deadline, and a reply cut mid-way is a failed call, never a partial value or another key's value.
/// </summary>
public class FaultInjectionTests : StandaloneServerFixture
{
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromMilliseconds(500);
    private static readonly TimeSpan Deadline = CommandTimeout + TimeSpan.FromMilliseconds(1000);
    private static RedisConnectionOptions ThroughProxy(IRedisTestServer server, FaultProxy proxy) => OptionsFor(server, o =>
    {
        o.Host = proxy.Endpoint.Address.ToString();
        o.Port = proxy.Port;
        o.CommandTimeout = CommandTimeout;
    });

    [Test]
    public async Task Black_holed_connection_fails_calls_within_their_deadline_then_recovers()
    {
        await using var proxy = FaultProxy.Start(Server);
        await using var connection = RedisConnectionFactory.Create(ThroughProxy(Server, proxy));
        var database = (await connection.GetMultiplexerAsync()).GetDatabase();
        var key = UniqueKey();
        await database.StringSetAsync(key, "v");

        proxy.BlackHole();
        var stopwatch = Stopwatch.StartNew();
        var error = Assert.CatchAsync(async () => await database.StringGetAsync(key));
        stopwatch.Stop();
        TestContext.Progress.WriteLine($"black hole: {error?.GetType().Name} after {stopwatch.Elapsed.TotalMilliseconds:F0} ms");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(error, Is.InstanceOf<RedisTimeoutException>().Or.InstanceOf<RedisConnectionException>());
            Assert.That(stopwatch.Elapsed, Is.LessThan(Deadline));
        }

        proxy.PassThrough();
        proxy.DropAllConnections();
        await EventuallyAsync(async () => await database.PingAsync(), TimeSpan.FromSeconds(10));
        Assert.That((string?)await database.StringGetAsync(key), Is.EqualTo("v"));
    }

    [Test]
    public async Task Reply_cut_mid_way_is_a_failed_call_never_a_partial_or_foreign_value()
    {
        await using var proxy = FaultProxy.Start(Server);
        await using var connection = RedisConnectionFactory.Create(ThroughProxy(Server, proxy));
        var database = (await connection.GetMultiplexerAsync()).GetDatabase();

        // Distinct large values per key, so a mixed-up or truncated reply cannot pass for the right one.
        var keys = Enumerable.Range(0, 8).Select(_ => UniqueKey()).ToArray();
        var values = keys.Select((k, i) => new string((char)('a' + i), 256 * 1024)).ToArray();
        for (var i = 0; i < keys.Length; i++)
        {
            await database.StringSetAsync(keys[i], values[i]);
        }

        for (var round = 0; round < 5; round++)
        {
            proxy.CutAfterServerBytes(100_000 + (round * 37_000));
            var reads = keys.Select(k => database.StringGetAsync(k)).ToArray();
            for (var i = 0; i < reads.Length; i++)
            {
                try
                {
                    var value = await reads[i];
                    Assert.That((string?)value, Is.EqualTo(values[i]), $"round {round}: key {i} returned a value that is not its own");
                }
                catch (Exception ex) when (ex is RedisConnectionException or RedisTimeoutException)
                {
                    // A failed call is the correct outcome of a cut connection.
                }
            }

            proxy.PassThrough();
            await EventuallyAsync(async () => await database.PingAsync(), TimeSpan.FromSeconds(10));
        }

        // After the faults, every key reads back its own value.
        for (var i = 0; i < keys.Length; i++)
        {
            Assert.That((string?)await database.StringGetAsync(keys[i]), Is.EqualTo(values[i]));
        }
    }

    [Test]
    public async Task Refused_connections_leave_the_app_running_and_report_disconnected()
    {
        await using var proxy = FaultProxy.Start(Server);
        proxy.RefuseNewConnections();
        await using var connection = RedisConnectionFactory.Create(ThroughProxy(Server, proxy));
        var multiplexer = await connection.GetMultiplexerAsync();
        Assert.That(connection.Health.Status, Is.EqualTo(RedisConnectionStatus.Disconnected));
        Assert.That(async () => await multiplexer.GetDatabase().PingAsync(), Throws.InstanceOf<RedisConnectionException>());

        proxy.PassThrough();
        await EventuallyAsync(async () => await multiplexer.GetDatabase().PingAsync(), TimeSpan.FromSeconds(15));
        Assert.That(connection.Health.Status, Is.EqualTo(RedisConnectionStatus.Connected));
    }
}
