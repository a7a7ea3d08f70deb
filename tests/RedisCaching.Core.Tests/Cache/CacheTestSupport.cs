using System;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using RedisCaching.Internal.Codecs;
using RedisCaching.Internal.Engine;
using RedisCaching.Internal.Keys;
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

            // Generous, so a loaded CI machine does not turn a read into a (correct, but unexpected) degraded miss;
            // the tests of the budget itself set their own.
            RedisTimeout = TimeSpan.FromSeconds(2),

            // The staleness bound only ever refuses memory hits (LeaseTests prove it); the other tests check the
            // mechanisms under it and must not depend on when a pinger thread runs on a loaded machine.
            Memory = { MaxStaleness = Timeout.InfiniteTimeSpan },
        };
        adjust?.Invoke(options);
        return options;
    }

    /// <summary>An engine with its own connection and coherent memory tier, started and coherent.</summary>
    public static async Task<CoherentCache> CreateCoherentAsync(IRedisTestServer? server, RedisCachingOptions options, string? name = null, ILoggerProvider? logs = null)
    {
        var connection = RedisConnectionFactory.Create(options.Redis, logs is null ? null : new LoggerFactory([logs]));
        var keys = new CacheKeyBuilder(options.Keys);
        var tier = new CoherentMemoryTier(options.Redis, options.Memory, keys.TrackingPrefix, logs?.CreateLogger("RedisCaching.Memory") ?? NullLogger.Instance)
        {
            KeyOfRedisKey = keys.ToMemoryKeyOf,
            FlushKey = keys.UsesGenerations ? CacheKeyBuilder.GenerationKey : null,
        };
        await tier.StartAsync(default);
        var cache = CreateCache(options, connection, tier, name: name, logger: logs?.CreateLogger("RedisCaching"));
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (tier.Mode is not (CacheCoherenceMode.Tracking or CacheCoherenceMode.Backplane) && waited.Elapsed < TimeSpan.FromSeconds(5))
        {
            await Task.Delay(10);
        }

        return new CoherentCache(cache, tier, connection);
    }

    public static RedisCache CreateCache(RedisCachingOptions options, IRedisConnection connection, IMemoryTier? memory = null, CodecSet? codecs = null, string? name = null, ILogger? logger = null) =>
        new(options, connection, memory ?? DisabledMemoryTier.Instance, logger ?? NullLogger.Instance, TimeProvider.System, codecs ?? BuiltInCodecs(options), name);

    /// <summary>Only the formats and codecs built into Core (JSON; brotli, gzip, zlib), no encryptor.</summary>
    public static CodecSet BuiltInCodecs(RedisCachingOptions? options = null) => new(options ?? new RedisCachingOptions(), [], [], null);
}
