using System;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.Caching.Hybrid;
using Microsoft.Extensions.DependencyInjection.Extensions;
using RedisCaching;
using RedisCaching.Internal.Adapters;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Serves the RedisCaching engine (<see cref="ICache"/>) as Microsoft's caching abstractions, opt-in.</summary>
public static class RedisCachingAdapterBuilderExtensions
{
    /// <summary>
    /// Registers <see cref="HybridCache"/> (a singleton over the registered <see cref="ICache"/>), replacing any earlier
    /// registration (such as <c>AddHybridCache()</c>'s). Entry options map as follows: <c>Expiration</c> is the entry's
    /// expiration, tags are its tags, the <c>Disable…Local…</c>/<c>Disable…Distributed…</c> flags skip the memory
    /// tier/Redis, <c>DisableUnderlyingData</c> reads without running the factory; <c>LocalCacheExpiration</c> is not
    /// used, because the memory tier holds an entry only while Redis does and drops it on any change. Keys and tags
    /// follow RedisCaching's key rules; the wildcard tag <c>*</c> is not supported.
    /// </summary>
    /// <param name="builder">The builder <c>AddRedisCaching</c> returned.</param>
    /// <returns>The same builder.</returns>
    public static IRedisCachingBuilder AsHybridCache(this IRedisCachingBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.RemoveAll<HybridCache>();
        builder.Services.AddSingleton<HybridCache>(static services => new HybridCacheAdapter(services.GetRequiredService<ICache>()));
        return builder;
    }

    /// <summary>
    /// Registers <see cref="IDistributedCache"/> and <see cref="IBufferDistributedCache"/> (one singleton over the
    /// registered <see cref="ICache"/>), replacing earlier registrations of both (such as
    /// <c>AddDistributedMemoryCache()</c>'s). Entries expire exactly as their <see cref="DistributedCacheEntryOptions"/>
    /// say (no fail-safe; an absolute expiration in the past throws <see cref="ArgumentOutOfRangeException"/>), values
    /// are stored as the bytes given, and the synchronous methods block on the asynchronous path (prefer the async ones).
    /// </summary>
    /// <param name="builder">The builder <c>AddRedisCaching</c> returned.</param>
    /// <returns>The same builder.</returns>
    public static IRedisCachingBuilder AsDistributedCache(this IRedisCachingBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.RemoveAll<IDistributedCache>();
        builder.Services.RemoveAll<IBufferDistributedCache>();
        builder.Services.TryAddSingleton(static services => new DistributedCacheAdapter(services.GetRequiredService<ICache>(), services.GetRequiredService<TimeProvider>()));
        builder.Services.AddSingleton<IDistributedCache>(static services => services.GetRequiredService<DistributedCacheAdapter>());
        builder.Services.AddSingleton<IBufferDistributedCache>(static services => services.GetRequiredService<DistributedCacheAdapter>());
        return builder;
    }
}
