using System;
using System.Threading;
using System.Threading.Tasks;
using NUnit.Framework;
using RedisCaching.Core.Tests.Connections;
using RedisCaching.Testing;
using static RedisCaching.Core.Tests.Cache.CacheTestSupport;

namespace RedisCaching.Core.Tests.Cache;

/// <summary>
/// A caller that starts after a write was acknowledged must not get the value from before it through a flight whose
/// Redis read was answered earlier and is still on its way back (a slow link, a loaded machine). The proxy delays each
/// direction of instance A's link: A's GET reaches Redis well before instance B's write, its reply arrives well after.
/// </summary>
public class FlightJoinTests : StandaloneServerFixture
{
    private static readonly TimeSpan OneWay = TimeSpan.FromMilliseconds(400);

    [TestCase(50, "v2", TestName = "A caller does not join a flight whose Redis read is older than the staleness bound")]
    [TestCase(-1, "v1", TestName = "With the staleness bound off a caller joins the running flight (the premise of the test above)")]
    public async Task Joining_an_old_flight(int maxStalenessMs, string expected)
    {
        await using var proxy = FaultProxy.Start(Server);
        var optionsA = Options(Server, o =>
        {
            o.Redis.Host = proxy.Endpoint.Address.ToString();
            o.Redis.Port = proxy.Port;
            o.Redis.CommandTimeout = TimeSpan.FromSeconds(10);
            o.RedisTimeout = TimeSpan.FromSeconds(10);
            o.Memory.MaxStaleness = maxStalenessMs < 0 ? Timeout.InfiniteTimeSpan : TimeSpan.FromMilliseconds(maxStalenessMs);
        });
        var optionsB = Options(Server, o => o.Keys.Prefix = optionsA.Keys.Prefix);
        await using var connectionA = RedisConnectionFactory.Create(optionsA.Redis);
        await using var connectionB = RedisConnectionFactory.Create(optionsB.Redis);
        await connectionA.GetMultiplexerAsync();
        var a = CreateCache(optionsA, connectionA);
        var b = CreateCache(optionsB, connectionB);
        await b.SetAsync("k", "v1");
        var factoryRuns = 0;
        ValueTask<string> Factory(int _, CacheFactoryContext __, CancellationToken ___)
        {
            Interlocked.Increment(ref factoryRuns);
            return ValueTask.FromResult("from factory");
        }

        proxy.AddLatency(OneWay);
        var first = a.GetOrSetAsync("k", 0, Factory).AsTask();

        // A's GET reaches Redis after one delay; B's write lands well after that and well before A's reply is back.
        await Task.Delay(OneWay * 1.75);
        await b.SetAsync("k", "v2");
        var second = await a.GetOrSetAsync("k", 0, Factory);

        using (Assert.EnterMultipleScope())
        {
            Assert.That((await first).Value, Is.EqualTo("v1"), "premise: the first flight's GET was answered before B's write");
            Assert.That(second.Value, Is.EqualTo(expected), "the caller that started after B's write was acknowledged");
            Assert.That(factoryRuns, Is.Zero);
        }
    }
}
