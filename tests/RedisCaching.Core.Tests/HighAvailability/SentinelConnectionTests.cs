using System;
using System.Diagnostics;
using System.Linq;
using System.Threading.Tasks;
using Microsoft.Extensions.Logging;
using NUnit.Framework;
using RedisCaching.Testing;

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

    [Test]
    public async Task Without_AbortOnConnectFail_the_reason_is_logged_once_and_the_connection_keeps_retrying()
    {
        var logs = new ListLoggerProvider();
        using var loggerFactory = LoggerFactory.Create(b => b.AddProvider(logs));
        await using var connection = RedisConnectionFactory.Create(Through("nosuchservice"), loggerFactory);
        await connection.GetMultiplexerAsync();
        var waited = Stopwatch.StartNew();
        while (!logs.Entries.Any(e => e.EventId == RedisCachingEventIds.SentinelConnectFailed) && waited.Elapsed < TimeSpan.FromSeconds(20))
        {
            await Task.Delay(50);
        }

        var explained = logs.Entries.Where(e => e.EventId == RedisCachingEventIds.SentinelConnectFailed).Select(e => e.Message).ToList();
        Assert.That(explained, Has.Count.EqualTo(1));
        Assert.That(explained[0], Does.Contain("Unknown service name").And.Not.Contain(_sentinel.SentinelPassword!));
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
