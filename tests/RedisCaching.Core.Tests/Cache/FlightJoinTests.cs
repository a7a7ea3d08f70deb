using System;
using System.Globalization;
using System.Linq;
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
        await using var setup = await SlowLinkAsync(maxStalenessMs);
        var first = setup.A.GetOrSetAsync("k", setup, static (s, _, _) => s.Factory()).AsTask();

        // A's GET reaches Redis after one delay; B's write lands well after that and well before A's reply is back.
        await Task.Delay(OneWay * 1.75);
        await setup.B.SetAsync("k", "v2");
        var second = await setup.A.GetOrSetAsync("k", setup, static (s, _, _) => s.Factory());

        using (Assert.EnterMultipleScope())
        {
            Assert.That((await first).Value, Is.EqualTo("v1"), "premise: the first flight's GET was answered before B's write");
            Assert.That(second.Value, Is.EqualTo(expected), "the caller that started after B's write was acknowledged");
            Assert.That(setup.FactoryRuns, Is.Zero);
        }
    }

    [Test]
    public async Task Callers_past_the_bound_share_one_new_read_not_one_each()
    {
        await using var setup = await SlowLinkAsync(50);
        var first = setup.A.GetOrSetAsync("k", setup, static (s, _, _) => s.Factory()).AsTask();
        await Task.Delay(OneWay * 1.75);
        await setup.B.SetAsync("k", "v2");
        await Server.RunCliAsync("CONFIG", "RESETSTAT");
        var late = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => setup.A.GetOrSetAsync("k", setup, static (s, _, _) => s.Factory()).AsTask()));
        var gets = GetCalls(await Server.RunCliAsync("INFO", "commandstats"));

        using (Assert.EnterMultipleScope())
        {
            Assert.That((await first).Value, Is.EqualTo("v1"), "premise: the first flight's GET was answered before B's write");
            Assert.That(late.Select(r => r.Value), Is.All.EqualTo("v2"));
            Assert.That(gets, Is.EqualTo(1), "one replacing flight for the 20 callers");
            Assert.That(setup.FactoryRuns, Is.Zero);
        }
    }

    private static long GetCalls(string commandStats)
    {
        // cmdstat_get:calls=1,usec=...
        var line = commandStats.Split('\n').Select(l => l.Trim()).FirstOrDefault(l => l.StartsWith("cmdstat_get:", StringComparison.Ordinal));
        return line is null ? 0 : long.Parse(line.Split(',')[0].Split('=')[1], CultureInfo.InvariantCulture);
    }

    /// <summary>Instance A behind a proxy that delays each direction by <see cref="OneWay"/>, instance B direct; "k" = "v1".</summary>
    private async Task<SlowLink> SlowLinkAsync(int maxStalenessMs)
    {
        var proxy = FaultProxy.Start(Server);
        var optionsA = Options(Server, o =>
        {
            o.Redis.Host = proxy.Endpoint.Address.ToString();
            o.Redis.Port = proxy.Port;
            o.Redis.CommandTimeout = TimeSpan.FromSeconds(10);
            o.RedisTimeout = TimeSpan.FromSeconds(10);
            o.Memory.MaxStaleness = maxStalenessMs < 0 ? Timeout.InfiniteTimeSpan : TimeSpan.FromMilliseconds(maxStalenessMs);
        });
        var optionsB = Options(Server, o => o.Keys.Prefix = optionsA.Keys.Prefix);
        var connectionA = RedisConnectionFactory.Create(optionsA.Redis);
        var connectionB = RedisConnectionFactory.Create(optionsB.Redis);
        await connectionA.GetMultiplexerAsync();
        var setup = new SlowLink(proxy, connectionA, connectionB, CreateCache(optionsA, connectionA), CreateCache(optionsB, connectionB));
        await setup.B.SetAsync("k", "v1");
        proxy.AddLatency(OneWay);
        return setup;
    }

    private sealed class SlowLink(FaultProxy proxy, IRedisConnection connectionA, IRedisConnection connectionB, ICache a, ICache b) : IAsyncDisposable
    {
        private int _factoryRuns;

        public ICache A { get; } = a;

        public ICache B { get; } = b;

        public int FactoryRuns => Volatile.Read(ref _factoryRuns);

        public ValueTask<string> Factory()
        {
            Interlocked.Increment(ref _factoryRuns);
            return ValueTask.FromResult("from factory");
        }

        public async ValueTask DisposeAsync()
        {
            await connectionA.DisposeAsync();
            await connectionB.DisposeAsync();
            await proxy.DisposeAsync();
        }
    }
}
