using System;
using System.Diagnostics;
using System.Linq;
using System.Net.Sockets;
using System.Threading.Tasks;
using NUnit.Framework;
using StackExchange.Redis;

namespace RedisCaching.Testing.Tests;

public sealed class FaultProxyTests
{
    private IRedisTestServer _server = null!;

    [OneTimeSetUp]
    public async Task StartServer() => _server = await RedisTestServers.StartAsync(RedisTopology.Password);

    [OneTimeTearDown]
    public async Task StopServer() => await _server.DisposeAsync();

    [Test]
    public async Task Pass_through_relays_a_round_trip()
    {
        await using var proxy = FaultProxy.Start(_server);
        await using var redis = await Connect.StrictAsync(proxy.CreateConfigurationOptions(_server));
        var db = redis.GetDatabase();
        var key = RedisTestKeys.NewPrefix() + "k";

        await db.StringSetAsync(key, "through the proxy");

        using (Assert.EnterMultipleScope())
        {
            Assert.That((string?)await db.StringGetAsync(key), Is.EqualTo("through the proxy"));
            Assert.That(proxy.Mode, Is.EqualTo(FaultProxyMode.PassThrough));
            Assert.That(proxy.ActiveConnections, Is.GreaterThanOrEqualTo(1));
            Assert.That(proxy.Endpoint.Port, Is.EqualTo(proxy.Port));
        }
    }

    [Test]
    public async Task Cut_mid_reply_fails_the_call_and_never_returns_a_value()
    {
        var key = RedisTestKeys.NewPrefix() + "large";
        var large = new string('x', 256 * 1024);
        await using (var direct = await Connect.ToAsync(_server))
        {
            await direct.GetDatabase().StringSetAsync(key, large);
        }

        await using var proxy = FaultProxy.Start(_server);
        await using var redis = await Connect.StrictAsync(proxy.CreateConfigurationOptions(_server));
        var db = redis.GetDatabase();
        await db.PingAsync();

        proxy.CutAfterServerBytes(1000);
        RedisValue? value = null;
        Exception? failure = null;
        try
        {
            value = await db.StringGetAsync(key);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            failure = ex;
        }

        using (Assert.EnterMultipleScope())
        {
            Assert.That(value, Is.Null, "a value came back from a cut reply");
            Assert.That(failure, Is.InstanceOf<RedisConnectionException>());
        }
    }

    [Test]
    public async Task Black_hole_makes_a_call_time_out_within_its_timeout()
    {
        const int timeoutMs = 500;
        await using var proxy = FaultProxy.Start(_server);
        await using var redis = await ConnectionMultiplexer.ConnectAsync(Connect.Fast(proxy.CreateConfigurationOptions(_server), timeoutMs));
        var db = redis.GetDatabase();
        await db.PingAsync();
        var connections = proxy.ActiveConnections;

        proxy.BlackHole();
        var clock = Stopwatch.StartNew();
        Assert.That(async () => await db.PingAsync(), Throws.InstanceOf<RedisTimeoutException>());
        clock.Stop();

        using (Assert.EnterMultipleScope())
        {
            // The client library checks timeouts on a timer, so allow it some lateness, but not a hang.
            Assert.That(clock.ElapsedMilliseconds, Is.InRange(timeoutMs - 50, timeoutMs + 1500));
            Assert.That(proxy.ActiveConnections, Is.EqualTo(connections), "a black hole keeps the connections open");
        }

        proxy.PassThrough();
        Assert.That(await Connect.EventuallyAsync(async () => (await db.PingAsync()) > TimeSpan.Zero, TimeSpan.FromSeconds(10)), Is.True);
    }

    [Test]
    public async Task Latency_is_added_to_every_round_trip()
    {
        var latency = TimeSpan.FromMilliseconds(100);
        await using var proxy = FaultProxy.Start(_server);
        await using var redis = await Connect.StrictAsync(proxy.CreateConfigurationOptions(_server));
        var db = redis.GetDatabase();
        await db.PingAsync();
        var baseline = await MedianRoundTripAsync(db);

        proxy.AddLatency(latency);
        var delayed = await MedianRoundTripAsync(db);

        // One chunk each way: the request and the reply are each held back once.
        Assert.That(delayed - baseline, Is.GreaterThanOrEqualTo(2 * latency - TimeSpan.FromMilliseconds(10)), $"baseline {baseline}, delayed {delayed}");
    }

    [Test]
    public async Task Refusing_proxy_makes_new_connections_fail_and_keeps_existing_ones()
    {
        await using var proxy = FaultProxy.Start(_server);
        await using var existing = await Connect.StrictAsync(proxy.CreateConfigurationOptions(_server));

        proxy.RefuseNewConnections();

        Assert.That(async () => await Connect.StrictAsync(proxy.CreateConfigurationOptions(_server), 1000), Throws.InstanceOf<RedisConnectionException>());
        Assert.That(await existing.GetDatabase().PingAsync(), Is.GreaterThan(TimeSpan.Zero));
    }

    [Test]
    public async Task Dropping_connections_resets_them_and_the_client_reconnects()
    {
        await using var proxy = FaultProxy.Start(_server);
        var options = proxy.CreateConfigurationOptions(_server);
        await using var redis = await ConnectionMultiplexer.ConnectAsync(Connect.Fast(options));
        var db = redis.GetDatabase();
        await db.PingAsync();
        var failed = new TaskCompletionSource();
        redis.ConnectionFailed += (_, _) => failed.TrySetResult();

        var dropped = proxy.DropAllConnections();

        Assert.That(dropped, Is.GreaterThanOrEqualTo(1));
        await failed.Task.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.That(await Connect.EventuallyAsync(async () => (await db.PingAsync()) > TimeSpan.Zero, TimeSpan.FromSeconds(15)), Is.True);
    }

    [Test]
    public async Task Dispose_closes_every_connection_and_stops_listening()
    {
        var proxy = FaultProxy.Start(_server);
        var port = proxy.Port;
        Assert.That(ListensOn(port), Is.True, "the check below sees the proxy's listening socket");
        await using var redis = await Connect.StrictAsync(proxy.CreateConfigurationOptions(_server));
        proxy.BlackHole(); // held pumps must end too

        var dispose = proxy.DisposeAsync().AsTask();
        Assert.That(await Task.WhenAny(dispose, Task.Delay(TimeSpan.FromSeconds(5))), Is.SameAs(dispose), "DisposeAsync hung");
        await dispose;

        Assert.That(proxy.ActiveConnections, Is.Zero);

        // The freed port may be taken at once by a server another test starts in parallel; what must hold is that
        // this process no longer listens on it.
        Assert.That(ListensOn(port), Is.False, $"this process still listens on {port}");
    }

    /// <summary>Whether a listening TCP socket of this process is bound to <paramref name="port"/> (/proc: inode match).</summary>
    private static bool ListensOn(int port)
    {
        var ours = new System.Collections.Generic.HashSet<string>();
        foreach (var fd in System.IO.Directory.EnumerateFiles("/proc/self/fd"))
        {
            var target = new System.IO.FileInfo(fd).LinkTarget;
            if (target is not null && target.StartsWith("socket:[", StringComparison.Ordinal))
            {
                ours.Add(target[8..^1]);
            }
        }

        var hexPort = ":" + port.ToString("X4", System.Globalization.CultureInfo.InvariantCulture);
        foreach (var table in new[] { "/proc/net/tcp", "/proc/net/tcp6" })
        {
            foreach (var line in System.IO.File.ReadLines(table).Skip(1))
            {
                var columns = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (columns[1].EndsWith(hexPort, StringComparison.Ordinal) && columns[3] == "0A" && ours.Contains(columns[9]))
                {
                    return true;
                }
            }
        }

        return false;
    }

    private static async Task<TimeSpan> MedianRoundTripAsync(IDatabase db)
    {
        var samples = new TimeSpan[7];
        for (var i = 0; i < samples.Length; i++)
        {
            var clock = Stopwatch.StartNew();
            await db.StringGetAsync("app:latency-probe");
            samples[i] = clock.Elapsed;
        }

        return samples.Order().ElementAt(samples.Length / 2);
    }
}
