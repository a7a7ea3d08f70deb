using System;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using RedisCaching;
using RedisCaching.Internal;
using RedisCaching.Internal.Engine;
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
        return new RedisCachingBuilder(services);
    }

    private static RedisCache CreateCache(IServiceProvider services)
    {
        var options = services.GetRequiredService<IOptions<RedisCachingOptions>>().Value;
        var logger = services.GetService<ILoggerFactory>()?.CreateLogger("RedisCaching.Cache") ?? NullLogger.Instance;
        return new RedisCache(options, services.GetRequiredService<IRedisConnection>(), DisabledMemoryTier.Instance, logger, services.GetRequiredService<TimeProvider>());
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
