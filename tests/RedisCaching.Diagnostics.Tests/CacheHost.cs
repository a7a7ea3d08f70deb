using System;
using System.Diagnostics;
using System.Threading.Tasks;
using Microsoft.Extensions.DependencyInjection;
using NUnit.Framework;
using RedisCaching.Testing;

namespace RedisCaching.Diagnostics.Tests;

/// <summary>
/// An app as a host builds it: its own service provider with RedisCaching and a named cache of a unique name, so a
/// test reads its own cache's series out of the process-wide meter.
/// </summary>
internal sealed class CacheHost : IAsyncDisposable
{
    private CacheHost(ServiceProvider services, string name)
    {
        Services = services;
        Name = name;
        Cache = services.GetRequiredService<ICacheProvider>().GetCache(name);
    }

    public ServiceProvider Services { get; }

    public string Name { get; }

    public ICache Cache { get; }

    public static async Task<CacheHost> StartAsync(IRedisTestServer server, Action<IServiceCollection, string>? register = null, Action<RedisCachingOptions>? adjust = null)
    {
        var name = "diag" + Guid.NewGuid().ToString("N")[..10];
        var services = new ServiceCollection();
        services.AddRedisCaching(o =>
        {
            o.Redis.Host = server.Host;
            o.Redis.Port = server.Port;
            o.Redis.User = server.User;
            o.Redis.Password = server.Password;
            o.RedisTimeout = TimeSpan.FromSeconds(5);

            // Memory hits must not depend on when a pinger thread runs on a loaded machine (Core's LeaseTests cover the bound).
            o.Memory.MaxStaleness = System.Threading.Timeout.InfiniteTimeSpan;
            adjust?.Invoke(o);
        }).WithoutEnvironmentVariables().AddNamedCache(name, n =>
        {
            n.Keys.Prefix = name;
            n.Memory.MaxStaleness = System.Threading.Timeout.InfiniteTimeSpan;
        });
        register?.Invoke(services, name);
        var host = new CacheHost(services.BuildServiceProvider(), name);
        await host.WaitForCoherenceAsync();
        return host;
    }

    private async Task WaitForCoherenceAsync()
    {
        var keySpace = (ICacheKeySpace)Cache;
        var waited = Stopwatch.StartNew();
        while (keySpace.CoherenceMode is not (CacheCoherenceMode.Tracking or CacheCoherenceMode.Backplane))
        {
            if (waited.Elapsed > TimeSpan.FromSeconds(10))
            {
                Assert.Fail($"The in-process tier did not become coherent within 10 s (mode {keySpace.CoherenceMode}).");
            }

            await Task.Delay(10);
        }
    }

    public ValueTask DisposeAsync() => Services.DisposeAsync();
}
