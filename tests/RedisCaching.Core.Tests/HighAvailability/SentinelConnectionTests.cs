using System;
using System.Diagnostics;
using System.Linq;
using System.Threading.Tasks;
using Microsoft.Extensions.Logging;
using NUnit.Framework;
using RedisCaching.Internal.Memory;
using RedisCaching.Testing;
using StackExchange.Redis;

namespace RedisCaching.Core.Tests.HighAvailability;

/// <summary>Connecting through sentinels: the options, and what an operator is told when it cannot work.</summary>
[Category("HaTopology")]
public sealed class SentinelConnectionTests
{
    private RedisSentinelTopology _sentinel = null!;

    [OneTimeSetUp]
    public async Task StartTopology()
    {
        RedisAvailability.RequireServer();
        _sentinel = await RedisTestServers.StartSentinelAsync(new RedisSentinelOptions { RequireSentinelPassword = true });
    }

    [OneTimeTearDown]
    public async Task StopTopology()
    {
        if (_sentinel is not null)
        {
            await _sentinel.DisposeAsync();
        }
    }

    [Test]
    public async Task ServiceName_and_the_sentinel_endpoints_and_password_reach_the_primary()
    {
        await using var connection = RedisConnectionFactory.Create(Through(_sentinel.ServiceName));
        var multiplexer = await connection.GetMultiplexerAsync();
        await multiplexer.GetDatabase().StringSetAsync("sentinel-options", "v");
        var primary = await _sentinel.GetPrimaryAsync();
        Assert.That(await primary.RunCliAsync("GET", "sentinel-options"), Is.EqualTo("v"), "the write reached the primary the sentinels name");
    }

    [Test]
    public void An_unknown_service_name_is_reported_as_such_with_the_names_the_sentinels_know()
    {
        var options = Through("nosuchservice");
        options.AbortOnConnectFail = true;
        var error = Assert.CatchAsync<RedisCachingException>(async () =>
        {
            await using var connection = RedisConnectionFactory.Create(options);
            await connection.GetMultiplexerAsync();
        });
        Assert.That(error!.Message, Does.Contain("Unknown service name").And.Contain("'nosuchservice'").And.Contain($"'{_sentinel.ServiceName}'"));
        Assert.That(error.Message, Does.Not.Contain(_sentinel.SentinelPassword!), "never the password");
    }

    [Test]
    public void Sentinels_that_do_not_answer_are_reported_as_unreachable_not_as_an_unknown_service()
    {
        var options = new RedisConnectionOptions { ServiceName = _sentinel.ServiceName, SentinelPassword = _sentinel.SentinelPassword, AbortOnConnectFail = true };
        options.Endpoints.Add("127.0.0.1:1");
        var error = Assert.CatchAsync<RedisCachingException>(async () =>
        {
            await using var connection = RedisConnectionFactory.Create(options);
            await connection.GetMultiplexerAsync();
        });
        Assert.That(error!.Message, Does.Contain("No sentinel reachable").And.Contain("127.0.0.1:1"));
    }

    [Test]
    public void A_wrong_sentinel_password_is_reported_as_no_sentinel_answering()
    {
        var options = Through(_sentinel.ServiceName);
        options.AbortOnConnectFail = true;
        options.SentinelPassword = "wrong-" + _sentinel.SentinelPassword;
        var error = Assert.CatchAsync<RedisCachingException>(async () =>
        {
            await using var connection = RedisConnectionFactory.Create(options);
            await connection.GetMultiplexerAsync();
        });
        Assert.That(error!.Message, Does.Contain("No sentinel reachable").And.Contain("SentinelPassword"));
        Assert.That(error.Message, Does.Not.Contain(options.SentinelPassword));
    }

    /// <summary>
    /// Without AbortOnConnectFail a start-up at which no sentinel names the service fails each call as a Redis failure
    /// (never StackExchange.Redis's sentinel mode, whose connect blocks thread-pool threads), says why once, and
    /// connects on a later call once the sentinels name a primary: here the service is added to them mid-test. The
    /// in-process tier started meanwhile stays Unavailable without a connection, and tracks once they do.
    /// </summary>
    [Test]
    public async Task Without_AbortOnConnectFail_the_reason_is_logged_once_and_a_later_call_connects_once_the_sentinels_name_the_service()
    {
        var serviceName = "latecomer" + Guid.NewGuid().ToString("N")[..8];
        var logs = new ListLoggerProvider();
        using var loggerFactory = LoggerFactory.Create(b => b.AddProvider(logs).SetMinimumLevel(LogLevel.Debug));
        await using var connection = RedisConnectionFactory.Create(Through(serviceName), loggerFactory);
        await using var tier = new CoherentMemoryTier(Through(serviceName), new MemoryTierOptions(), "latecomer:", loggerFactory.CreateLogger("RedisCaching.Memory"));
        var tierStarted = Stopwatch.StartNew();
        await tier.StartAsync(default);
        Assert.That(tier.Mode, Is.EqualTo(CacheCoherenceMode.Unavailable), "no primary to track on yet");
        for (var i = 0; i < 3; i++)
        {
            Assert.ThrowsAsync<RedisConnectionException>(async () => await connection.GetMultiplexerAsync(), "a Redis failure, for the cache's fail-safe and breaker");
        }

        var waited = Stopwatch.StartNew();
        while (!logs.Entries.Any(e => e.EventId == RedisCachingEventIds.SentinelConnectFailed) && waited.Elapsed < TimeSpan.FromSeconds(20))
        {
            await Task.Delay(50);
        }

        Assert.ThrowsAsync<RedisConnectionException>(async () => await connection.GetMultiplexerAsync());
        var explained = logs.Entries.Where(e => e.EventId == RedisCachingEventIds.SentinelConnectFailed).Select(e => e.Message).ToList();
        Assert.That(explained, Has.Count.EqualTo(1), "the reason is logged once, not per call");
        Assert.That(explained[0], Does.Contain("Unknown service name").And.Not.Contain(_sentinel.SentinelPassword!));

        // The tier's re-enable loop retries at 100, 200, 400, 800 ms ... meanwhile: the same reason is logged once.
        var untilTwoSeconds = TimeSpan.FromSeconds(2) - tierStarted.Elapsed;
        if (untilTwoSeconds > TimeSpan.Zero)
        {
            await Task.Delay(untilTwoSeconds);
        }

        var tierFailures = logs.Entries.Count(e => e.EventId == RedisCachingEventIds.MemoryTierEnableFailed);
        Assert.That(tierFailures, Is.EqualTo(1), "the tier logs the same failure once, not per retry");

        var primary = await _sentinel.GetPrimaryAsync();
        try
        {
            foreach (var node in _sentinel.Sentinels)
            {
                Assert.That(await node.RunCliAsync("SENTINEL", "MONITOR", serviceName, "127.0.0.1", primary.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "2"), Is.EqualTo("OK"));
            }

            var monitored = Stopwatch.StartNew();

            IConnectionMultiplexer? multiplexer = null;
            waited.Restart();
            while (multiplexer is null && waited.Elapsed < TimeSpan.FromSeconds(15))
            {
                try
                {
                    multiplexer = await connection.GetMultiplexerAsync();
                }
                catch (RedisConnectionException)
                {
                    await Task.Delay(100);
                }
            }

            Assert.That(multiplexer, Is.Not.Null, "a call after the sentinels named the service connects");
            while (tier.Mode != CacheCoherenceMode.Tracking && waited.Elapsed < TimeSpan.FromSeconds(20))
            {
                await Task.Delay(100);
            }

            Assert.That(tier.Mode, Is.EqualTo(CacheCoherenceMode.Tracking), "the tier tracks on the primary once the sentinels name it");

            // Woken by the first poll that names the primary (every second), not by its next retry (up to 2 s later).
            TestContext.Out.WriteLine($"the tier tracked {monitored.ElapsedMilliseconds} ms after the sentinels were told to monitor the service");
            await multiplexer!.GetDatabase().StringSetAsync("latecomer", serviceName);
            Assert.That(await primary.RunCliAsync("GET", "latecomer"), Is.EqualTo(serviceName), "the write reached the primary the sentinels name");
        }
        finally
        {
            foreach (var node in _sentinel.Sentinels)
            {
                await node.RunCliAsync("SENTINEL", "REMOVE", serviceName);
            }
        }
    }

    private RedisConnectionOptions Through(string serviceName)
    {
        var options = new RedisConnectionOptions { ServiceName = serviceName, SentinelPassword = _sentinel.SentinelPassword };
        foreach (var endpoint in _sentinel.SentinelEndpoints)
        {
            options.Endpoints.Add(endpoint.ToString()!);
        }

        return options;
    }
}
