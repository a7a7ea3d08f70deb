using System;
using System.Linq;
using System.Net;
using System.Threading.Tasks;
using NUnit.Framework;
using RedisCaching.Testing;
using static RedisCaching.Core.Tests.Cache.CacheTestSupport;

namespace RedisCaching.Core.Tests.HighAvailability;

/// <summary>
/// Sentinel with TLS everywhere (data nodes and sentinels TLS-only, replication and the sentinels' own links over TLS,
/// certificates from a test CA) and the CA given through <see cref="RedisTlsOptions"/>, validation on. One topology for
/// the class: the wrong-CA test only connects, and the failover test runs last.
/// </summary>
[Category("HaTopology")]
public sealed class SentinelTlsTests
{
    private RedisSentinelTopology _sentinel = null!;

    [OneTimeSetUp]
    public async Task StartTopology()
    {
        RedisAvailability.RequireServer();
        _sentinel = await RedisTestServers.StartSentinelAsync(new RedisSentinelOptions { UseTls = true });
        TestContext.Progress.WriteLine($"[sentinel tls] {_sentinel} ready after {_sentinel.StartDuration.TotalSeconds:0.00} s");
    }

    [OneTimeTearDown]
    public async Task StopTopology()
    {
        if (_sentinel is not null)
        {
            await _sentinel.DisposeAsync();
        }
    }

    /// <remarks>
    /// The proof that our own watch reached the sentinels (and not StackExchange.Redis's sentinel mode, which the
    /// connection falls back to when no sentinel answers the watch, and which would connect here too): the main
    /// multiplexer is a plain connection to the primary alone, without a service name, and the failover is followed
    /// by the watch (<see cref="RedisCachingEventIds.SentinelPrimaryFollowed"/>, logged only on its announcement).
    /// </remarks>
    [Test, Order(2)]
    public async Task The_CA_from_the_TLS_options_reaches_sentinels_and_primary_and_a_SENTINEL_FAILOVER_is_followed()
    {
        var options = CacheOptions(_sentinel.Tls!.CaCertificate);
        using var logs = new ListLoggerProvider();
        await using var first = await CreateCoherentAsync(null, options, logs: logs);
        await using var second = await CreateCoherentAsync(null, options);
        Assert.That((first.Tier.Mode, second.Tier.Mode), Is.EqualTo((CacheCoherenceMode.Tracking, CacheCoherenceMode.Tracking)), "tracking on the primary over TLS");

        var primary = await _sentinel.GetPrimaryAsync();
        var multiplexer = await first.Connection.GetMultiplexerAsync();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(multiplexer.GetEndPoints().Select(e => ((IPEndPoint)e).Port), Is.EqualTo(new[] { primary.Port }), "connected to the primary alone, as the watch names it");
            Assert.That(multiplexer.Configuration, Does.Not.Contain("serviceName"), "a plain connection, not StackExchange.Redis's sentinel mode");
        }

        await first.Cache.SetAsync("tls", "v1");
        Assert.That((await second.Cache.TryGetAsync<string>("tls")).Value, Is.EqualTo("v1"), "a round trip over TLS");
        var keys = Enumerable.Range(0, 5).Select(i => "key" + i).ToArray();
        var before = await MemoryTierWaits.SecondFollowsAsync(first, second, keys, "before");

        var failover = await _sentinel.FailoverAsync();
        await ClusterMemoryTierTests.WaitUntilAsync(async () =>
        {
            try
            {
                await first.Cache.SetAsync("probe", "p");
                // A miss means the second instance does not read from the new primary yet: wait, as for a failure.
                var read = await second.Cache.TryGetAsync<string>("probe");
                return read.HasValue && read.Value == "p"
                    && first.Tier.Mode == CacheCoherenceMode.Tracking && second.Tier.Mode == CacheCoherenceMode.Tracking;
            }
            catch (CacheUnavailableException)
            {
                return false;
            }
        }, TimeSpan.FromSeconds(15));
        var after = await MemoryTierWaits.SecondFollowsAsync(first, second, keys, "after");

        var followed = await first.Connection.GetMultiplexerAsync();
        TestContext.Progress.WriteLine(
            $"[sentinel tls] {failover.NewPrimary.Port} promoted after {failover.Pause.TotalSeconds:0.00} s; second instance followed within {before.TotalMilliseconds:0} ms before, {after.TotalMilliseconds:0} ms after");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(logs.Entries.Count(e => e.EventId == RedisCachingEventIds.SentinelPrimaryFollowed), Is.GreaterThanOrEqualTo(1), "the watch announced the new primary and the connection followed it");
            Assert.That(followed.GetEndPoints().Select(e => ((IPEndPoint)e).Port), Is.EqualTo(new[] { failover.NewPrimary.Port }), "calls go to the new primary");
            Assert.That(after, Is.LessThan(MemoryTierWaits.Window), "the in-process tier is coherent again");
        }
    }

    /// <remarks>Validation stays on by default: a CA that signed nothing of the servers' must be refused, and say so.</remarks>
    [Test, Order(1)]
    public void A_wrong_CA_is_refused_with_an_error_that_names_the_certificate()
    {
        var options = CacheOptions(_sentinel.Tls!.WrongCaCertificate).Redis;
        options.AbortOnConnectFail = true;
        var error = Assert.CatchAsync<RedisCachingException>(async () =>
        {
            await using var connection = RedisConnectionFactory.Create(options);
            await connection.GetMultiplexerAsync();
        });
        TestContext.Progress.WriteLine($"[sentinel tls] wrong CA: {error!.Message}");
        Assert.That(error.Message, Does.Contain("No sentinel reachable").And.Contain("certificate").And.Contain("Tls:"));
    }

    private RedisCachingOptions CacheOptions(System.Security.Cryptography.X509Certificates.X509Certificate2 trustedCa)
    {
        var options = new RedisCachingOptions
        {
            Redis = { ServiceName = _sentinel.ServiceName, Tls = { Enabled = true, RootCertificate = trustedCa } },
            Keys = { Prefix = "st" + Guid.NewGuid().ToString("N")[..10] },
            RedisTimeout = TimeSpan.FromSeconds(1),
        };
        foreach (var endpoint in _sentinel.SentinelEndpoints)
        {
            options.Redis.Endpoints.Add(endpoint.ToString()!);
        }

        return options;
    }
}
