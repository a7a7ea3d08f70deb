using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.Caching.Hybrid;
using Microsoft.Extensions.DependencyInjection;
using NUnit.Framework;
using RedisCaching.Core.Tests.Connections;
using static RedisCaching.Core.Tests.Adapters.AdapterTestSupport;

namespace RedisCaching.Core.Tests.Adapters;

/// <summary>AsHybridCache() and AsDistributedCache(): opt-in, one line each, replacing what was registered before.</summary>
public class AdapterRegistrationTests : StandaloneServerFixture
{
    [Test]
    public async Task Without_the_opt_in_no_Microsoft_cache_service_is_registered()
    {
        var services = new ServiceCollection();
        services.AddTestCache(Server, NewPrefix());
        await using var provider = services.BuildServiceProvider();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(provider.GetService<HybridCache>(), Is.Null);
            Assert.That(provider.GetService<IDistributedCache>(), Is.Null);
            Assert.That(provider.GetService<IBufferDistributedCache>(), Is.Null);
        }
    }

    [Test]
    public async Task AsDistributedCache_replaces_an_earlier_registration_and_serves_both_interfaces_from_one_instance()
    {
        var services = new ServiceCollection();
        services.AddDistributedMemoryCache();
        services.AddTestCache(Server, NewPrefix()).AsDistributedCache().AsDistributedCache();
        services.AddDistributedMemoryCache(); // a later TryAdd does not displace it
        await using var provider = services.BuildServiceProvider();
        var distributed = provider.GetRequiredService<IDistributedCache>();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(distributed.GetType().Name, Is.EqualTo("DistributedCacheAdapter"));
            Assert.That(provider.GetRequiredService<IBufferDistributedCache>(), Is.SameAs(distributed));
            Assert.That(services.Count(d => d.ServiceType == typeof(IDistributedCache)), Is.EqualTo(1));
            Assert.That(services.Count(d => d.ServiceType == typeof(IBufferDistributedCache)), Is.EqualTo(1));
        }
    }

    [Test]
    public async Task AsHybridCache_replaces_an_earlier_registration()
    {
        var services = new ServiceCollection();
        services.AddSingleton<HybridCache, PlaceholderHybridCache>();
        services.AddTestCache(Server, NewPrefix()).AsHybridCache().AsHybridCache();
        await using var provider = services.BuildServiceProvider();
        var first = provider.GetRequiredService<HybridCache>();
        var second = provider.GetRequiredService<HybridCache>();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(first.GetType().Name, Is.EqualTo("HybridCacheAdapter"));
            Assert.That(second, Is.SameAs(first), "a singleton");
            Assert.That(services.Count(d => d.ServiceType == typeof(HybridCache)), Is.EqualTo(1));
        }
    }

    [Test]
    public async Task Both_adapters_share_the_engine_so_bytes_written_through_one_are_read_through_the_other()
    {
        await using var provider = await BuildAsync(Server, NewPrefix());
        await provider.GetRequiredService<HybridCache>().SetAsync("shared", new byte[] { 1, 2, 3 });
        Assert.That(await provider.GetRequiredService<IDistributedCache>().GetAsync("shared"), Is.EqualTo(new byte[] { 1, 2, 3 }));
    }

    /// <summary>Stands for another HybridCache registration (such as AddHybridCache()'s); never called.</summary>
    private sealed class PlaceholderHybridCache : HybridCache
    {
        public override ValueTask<T> GetOrCreateAsync<TState, T>(string key, TState state, Func<TState, CancellationToken, ValueTask<T>> factory, HybridCacheEntryOptions? options = null, IEnumerable<string>? tags = null, CancellationToken cancellationToken = default) =>
            throw new NotSupportedException();

        public override ValueTask SetAsync<T>(string key, T value, HybridCacheEntryOptions? options = null, IEnumerable<string>? tags = null, CancellationToken cancellationToken = default) =>
            throw new NotSupportedException();

        public override ValueTask RemoveAsync(string key, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public override ValueTask RemoveByTagAsync(string tag, CancellationToken cancellationToken = default) => throw new NotSupportedException();
    }
}
