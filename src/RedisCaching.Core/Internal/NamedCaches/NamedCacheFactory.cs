using System;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using RedisCaching.Internal.Engine;

namespace RedisCaching.Internal.NamedCaches;

/// <summary>Builds the engine of a named cache: its own settings over the main ones, the shared connection, its own memory tier.</summary>
internal static class NamedCacheFactory
{
    public static RedisCache Create(IServiceProvider services, string name)
    {
        var main = services.GetRequiredService<IOptions<RedisCachingOptions>>().Value;
        var options = Effective(main, services.GetRequiredService<IOptionsMonitor<NamedCacheOptions>>().Get(name));
        var loggers = services.GetService<ILoggerFactory>();
        var logger = loggers?.CreateLogger("RedisCaching.Cache." + name) ?? NullLogger.Instance;
        var time = services.GetRequiredService<TimeProvider>();
        var memory = RedisCachingServiceCollectionExtensions.CreateMemoryTier(services, options, loggers, time);
        return new RedisCache(options, services.GetRequiredService<IRedisConnection>(), memory, logger, time, Codecs.CodecSet.From(options, services), name);
    }

    /// <summary>
    /// The engine settings of a named cache: its keys, defaults, profiles and memory tier; everything else (the
    /// connection, the Redis budget, the breaker, fail-safe throttling, serializer, compression and per-type options) from the main options.
    /// A setting added to <see cref="RedisCachingOptions"/> must be carried over here too.
    /// </summary>
    public static RedisCachingOptions Effective(RedisCachingOptions main, NamedCacheOptions named)
    {
        var options = new RedisCachingOptions
        {
            Redis = main.Redis,
            Memory = named.Memory,
            Keys = named.Keys,
            DefaultEntryOptions = named.DefaultEntryOptions,
            RedisTimeout = main.RedisTimeout,
            ThrowOnRedisFailure = main.ThrowOnRedisFailure,
            CircuitBreakerThreshold = main.CircuitBreakerThreshold,
            CircuitBreakDuration = main.CircuitBreakDuration,
            FailSafeThrottleDuration = main.FailSafeThrottleDuration,
            CoalesceReadsAbove = main.CoalesceReadsAbove,
            JsonSerializerOptions = main.JsonSerializerOptions,
            Compression = main.Compression,
        };
        foreach (var (type, typeOptions) in main.TypeOptions)
        {
            options.TypeOptions[type] = typeOptions;
        }

        options.Profiles.Clear();
        foreach (var (profile, entry) in named.Profiles)
        {
            options.Profiles[profile] = entry;
        }

        return options;
    }
}
