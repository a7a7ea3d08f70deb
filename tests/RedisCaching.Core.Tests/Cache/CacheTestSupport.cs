using System;
using Microsoft.Extensions.Logging.Abstractions;
using RedisCaching.Internal.Engine;
using RedisCaching.Internal.Memory;
using RedisCaching.Testing;

namespace RedisCaching.Core.Tests.Cache;

/// <summary>Builds engines against a test server, each with its own key prefix so tests never see each other's keys.</summary>
internal static class CacheTestSupport
{
    public static RedisCachingOptions Options(IRedisTestServer server, Action<RedisCachingOptions>? adjust = null)
    {
        var options = new RedisCachingOptions
        {
            Redis = Connections.ConnectionTestSupport.OptionsFor(server),
            Keys = { Prefix = "t" + Guid.NewGuid().ToString("N")[..12] },
        };
        adjust?.Invoke(options);
        return options;
    }

    public static RedisCache CreateCache(RedisCachingOptions options, IRedisConnection connection, IMemoryTier? memory = null) =>
        new(options, connection, memory ?? DisabledMemoryTier.Instance, NullLogger.Instance, TimeProvider.System);
}
