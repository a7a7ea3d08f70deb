using System;
using System.Diagnostics;
using System.Threading.Tasks;
using Microsoft.Extensions.DependencyInjection;
using NUnit.Framework;
using RedisCaching.Testing;

namespace RedisCaching.Invalidation.Tests;

/// <summary>
/// One app instance as a host builds it: its own service provider (its own connection and in-process tier) with
/// RedisCaching and RedisCaching.Invalidation registered. Two of them on one key prefix are two instances of an app.
/// </summary>
internal sealed class CacheInstance : IAsyncDisposable
{
    private readonly ServiceProvider _services;

    private CacheInstance(ServiceProvider services)
    {
        _services = services;
        Cache = services.GetRequiredService<ICache>();
        Invalidator = services.GetRequiredService<ICacheInvalidator>();
    }

    public ICache Cache { get; }

    public ICacheInvalidator Invalidator { get; }

    public ICacheKeySpace KeySpace => (ICacheKeySpace)Cache;

    public IServiceProvider Services => _services;

    /// <summary>Starts an instance and waits until its in-process tier is coherent (tracking or backplane).</summary>
    public static Task<CacheInstance> StartAsync(IRedisTestServer server, string prefix, Action<RedisCachingOptions>? adjust = null, Action<IRedisCachingBuilder>? register = null) =>
        StartAsync(server.Host, server.Port, server.User, server.Password, prefix, adjust, register);

    /// <summary>Like the other overload, for any server (Garnet) or another ACL user.</summary>
    public static async Task<CacheInstance> StartAsync(string host, int port, string? user, string? password, string prefix, Action<RedisCachingOptions>? adjust = null, Action<IRedisCachingBuilder>? register = null)
    {
        var services = new ServiceCollection();
        var builder = services.AddRedisCaching(o =>
        {
            o.Redis.Host = host;
            o.Redis.Port = port;
            o.Redis.User = user;
            o.Redis.Password = password;
            o.Redis.CommandTimeout = TimeSpan.FromSeconds(2);
            o.RedisTimeout = TimeSpan.FromSeconds(5);
            o.Keys.Prefix = prefix;

            // These tests check that invalidations reach memory; the staleness bound only ever refuses hits (Core's
            // LeaseTests prove it) and would make "it was a memory hit before" depend on a pinger thread's timing.
            o.Memory.MaxStaleness = System.Threading.Timeout.InfiniteTimeSpan;
            adjust?.Invoke(o);
        }).WithoutEnvironmentVariables().AddInvalidation();
        register?.Invoke(builder);
        var instance = new CacheInstance(services.BuildServiceProvider());
        if (instance.KeySpace.CoherenceMode != CacheCoherenceMode.Disabled)
        {
            await instance.WaitForCoherenceAsync();
        }

        return instance;
    }

    public async Task WaitForCoherenceAsync()
    {
        var waited = Stopwatch.StartNew();
        while (KeySpace.CoherenceMode is not (CacheCoherenceMode.Tracking or CacheCoherenceMode.Backplane))
        {
            if (waited.Elapsed > TimeSpan.FromSeconds(10))
            {
                Assert.Fail($"The in-process tier did not become coherent within 10 s (mode {KeySpace.CoherenceMode}).");
            }

            await Task.Delay(10);
        }
    }

    public ValueTask DisposeAsync() => _services.DisposeAsync();
}
