using System;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using RedisCaching;
using RedisCaching.Internal;
using RedisCaching.Internal.Engine;
using RedisCaching.Internal.Keys;
using RedisCaching.Internal.Memory;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers RedisCaching in a service collection.</summary>
public static class RedisCachingServiceCollectionExtensions
{
    /// <summary>
    /// Adds RedisCaching (<see cref="ICache"/> and the shared <see cref="IRedisConnection"/>): options bound from the <c>RedisCaching</c> configuration section, then the <c>REDIS_*</c>
    /// environment variables, then <paramref name="configure"/> (a connection string set by a later step replaces the
    /// address an earlier step gave, with its credentials); validated at start-up; and the shared
    /// <see cref="IRedisConnection"/>. Calling it again only adds another <paramref name="configure"/> step.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configure">Code that sets options; it runs after configuration and environment variables.</param>
    /// <returns>A builder other RedisCaching packages extend.</returns>
    public static IRedisCachingBuilder AddRedisCaching(this IServiceCollection services, Action<RedisCachingOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddOptions<RedisCachingOptions>().ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IConfigureOptions<RedisCachingOptions>, RedisCachingOptionsSetup>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<RedisCachingOptions>, RedisCachingOptionsValidator>());
        if (configure is not null)
        {
            services.Configure(RedisCachingOptionsSetup.CodeLayer(configure));
        }

        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<IRedisConnection>(CreateConnection);
        services.TryAddSingleton<ICache>(CreateCache);
        services.TryAddSingleton<ICacheProvider, RedisCaching.Internal.NamedCaches.CacheProvider>();
        return new RedisCachingBuilder(services);
    }

    private static RedisCache CreateCache(IServiceProvider services)
    {
        var options = services.GetRequiredService<IOptions<RedisCachingOptions>>().Value;
        var loggers = services.GetService<ILoggerFactory>();
        var logger = loggers?.CreateLogger("RedisCaching.Cache") ?? NullLogger.Instance;
        var time = services.GetRequiredService<TimeProvider>();
        return new RedisCache(options, services.GetRequiredService<IRedisConnection>(), CreateMemoryTier(services, options, loggers, time), logger, time, RedisCaching.Internal.Codecs.CodecSet.From(options, services));
    }

    /// <summary>
    /// The coherent in-process tier. It opens its own small RESP2 connection for invalidations, so it needs the
    /// address options: with a host-supplied multiplexer and no address, memory caching stays off.
    /// </summary>
    internal static IMemoryTier CreateMemoryTier(IServiceProvider services, RedisCachingOptions options, ILoggerFactory? loggers, TimeProvider time)
    {
        var hasAddress = options.Redis.ConnectionString is not null || options.Redis.Host is not null || options.Redis.Endpoints.Count > 0;
        if (!options.Memory.Enabled || (services.GetService<ExternalMultiplexerSource>() is not null && !hasAddress))
        {
            return DisabledMemoryTier.Instance;
        }

        var logger = loggers?.CreateLogger("RedisCaching.Memory") ?? NullLogger.Instance;
        var keys = new CacheKeyBuilder(options.Keys);
        var tier = new CoherentMemoryTier(options.Redis, options.Memory, keys.TrackingPrefix, logger, time)
        {
            KeyOfRedisKey = keys.ToMemoryKeyOf,
            FlushKey = keys.UsesGenerations ? CacheKeyBuilder.GenerationKey : null,
        };
        _ = StartMemoryTierAsync(tier, logger);
        return tier;
    }

    private static async Task StartMemoryTierAsync(CoherentMemoryTier tier, ILogger logger)
    {
        try
        {
            await tier.StartAsync(CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is StackExchange.Redis.RedisException or InvalidOperationException or TimeoutException)
        {
            // The tier stays Unavailable (memory holds nothing), which is safe; the cache works from Redis.
            Log.MemoryTierStartFailed(logger, ex);
        }
    }

    private static RedisConnection CreateConnection(IServiceProvider services)
    {
        var logger = services.GetService<ILoggerFactory>()?.CreateLogger("RedisCaching.Connection") ?? NullLogger.Instance;
        var time = services.GetRequiredService<TimeProvider>();
        if (services.GetService<ExternalMultiplexerSource>() is { } external)
        {
            return RedisConnection.Wrap(external.Factory(services), logger, time);
        }

        var options = services.GetRequiredService<IOptions<RedisCachingOptions>>().Value;
        return RedisConnection.Create(options.Redis, logger, time);
    }
}
