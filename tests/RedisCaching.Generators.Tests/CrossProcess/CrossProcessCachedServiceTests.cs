using System;
using System.Diagnostics;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.DependencyInjection;
using NUnit.Framework;
using RedisCaching.Generators.Tests.Integration;
using RedisCaching.Testing;

namespace RedisCaching.Generators.Tests.CrossProcess;

/// <summary>The generated decorator in two OS processes sharing one redis-server: each sees what the other cached and evicted.</summary>
public sealed class CrossProcessCachedServiceTests : StandaloneServerTest
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan ReplyTimeout = TimeSpan.FromSeconds(20);

    [Test]
    public async Task A_second_process_is_served_the_cached_value_and_its_invalidation_reaches_the_first()
    {
        var prefix = "x" + Guid.NewGuid().ToString("N")[..12];
        await using var probe = TestProcess.Start(typeof(FeatureProbe).Assembly.Location, FeatureProbe.Arguments(Server.Host, Server.Port, prefix));
        var store = new FeatureStore();
        var services = new ServiceCollection().AddSingleton<IFeatureStore>(store);
        services.AddRedisCaching(o =>
            {
                o.Redis.Host = Server.Host;
                o.Redis.Port = Server.Port;
                o.Keys.Prefix = prefix;
                o.RedisTimeout = TimeSpan.FromSeconds(3);
            })
            .WithoutEnvironmentVariables()
            .AddCachedServices();
        await using var provider = services.BuildServiceProvider();
        var features = provider.GetRequiredService<IFeatureStore>();
        await features.UpdateAsync(new Feature(7, "only-in-the-first-process"), CancellationToken.None);
        Assert.That((await features.GetAsync(7, CancellationToken.None))?.Name, Is.EqualTo("only-in-the-first-process"));
        Assert.That(store.Calls, Is.EqualTo(1));
        await probe.WaitForLineAsync("ready", StartTimeout);

        // The second process's own store would answer "feature 7": it must not run; the cached value is served.
        await probe.SendAsync("get 7");
        Assert.That(await probe.WaitForLineAsync("feature", ReplyTimeout), Is.EqualTo("feature only-in-the-first-process calls 0"));

        // Its [CacheInvalidate] method evicts the entry; this process then runs its implementation again.
        await probe.SendAsync("update 7 renamed");
        await probe.WaitForLineAsync("updated", ReplyTimeout);
        var stopwatch = Stopwatch.StartNew();
        while (store.Calls == 1 && stopwatch.Elapsed < TimeSpan.FromSeconds(5))
        {
            await features.GetAsync(7, CancellationToken.None);
        }

        Assert.That(store.Calls, Is.EqualTo(2), "the eviction made by the second process never reached this one");
        await probe.SendAsync("exit");
    }
}
