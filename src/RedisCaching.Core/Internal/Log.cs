using System;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace RedisCaching.Internal;

/// <summary>
/// Every log message of RedisCaching.Core. Endpoints and failure kinds only: never a key, a value or a secret.
/// </summary>
internal static partial class Log
{
    [LoggerMessage(RedisCachingEventIds.Connecting, LogLevel.Debug, "Connecting multiplexer {PoolIndex} to {Endpoints}")]
    public static partial void Connecting(ILogger logger, int poolIndex, string endpoints);

    [LoggerMessage(RedisCachingEventIds.Connected, LogLevel.Information, "Redis connection ready: {MultiplexerCount} multiplexer(s), status {Status}")]
    public static partial void Connected(ILogger logger, int multiplexerCount, RedisConnectionStatus status);

    [LoggerMessage(RedisCachingEventIds.ConnectionFailed, LogLevel.Warning, "Redis connection failed: {FailureType} on {Endpoint} ({ConnectionType}); reconnecting")]
    public static partial void ConnectionFailed(ILogger logger, ConnectionFailureType failureType, string endpoint, ConnectionType connectionType, Exception? exception);

    [LoggerMessage(RedisCachingEventIds.ConnectionRestored, LogLevel.Information, "Redis connection restored: {Endpoint} ({ConnectionType})")]
    public static partial void ConnectionRestored(ILogger logger, string endpoint, ConnectionType connectionType);

    [LoggerMessage(RedisCachingEventIds.ServerErrorMessage, LogLevel.Warning, "Redis server {Endpoint} sent an error: {Message}")]
    public static partial void ServerErrorMessage(ILogger logger, string endpoint, string message);

    [LoggerMessage(RedisCachingEventIds.InternalError, LogLevel.Error, "StackExchange.Redis internal error in {Origin} on {Endpoint} ({ConnectionType})")]
    public static partial void InternalError(ILogger logger, string origin, string endpoint, ConnectionType connectionType, Exception exception);

    [LoggerMessage(RedisCachingEventIds.ConfigurationChanged, LogLevel.Information, "Redis configuration changed on {Endpoint}")]
    public static partial void ConfigurationChanged(ILogger logger, string endpoint);

    [LoggerMessage(RedisCachingEventIds.StatusChanged, LogLevel.Information, "Redis connection status {Previous} -> {Current}")]
    public static partial void StatusChanged(ILogger logger, RedisConnectionStatus previous, RedisConnectionStatus current);

    [LoggerMessage(RedisCachingEventIds.UsingExternalMultiplexer, LogLevel.Information, "Using the multiplexer the host provided; RedisCaching will not dispose it")]
    public static partial void UsingExternalMultiplexer(ILogger logger);

    // The reason, not the exception: a refused connect repeats every backoff step, and its stack trace says nothing.
    [LoggerMessage(RedisCachingEventIds.SentinelConnectFailed, LogLevel.Error, "Could not connect through the sentinels for service '{ServiceName}'. {Reason}")]
    public static partial void SentinelConnectFailed(ILogger logger, string serviceName, string reason);

    [LoggerMessage(RedisCachingEventIds.SentinelFailoverStarted, LogLevel.Warning, "The sentinels are promoting a replica of '{ServiceName}': Redis calls are held off until the new primary is connected")]
    public static partial void SentinelFailoverStarted(ILogger logger, string serviceName);

    [LoggerMessage(RedisCachingEventIds.SentinelPrimaryFollowed, LogLevel.Warning, "Following the new primary of '{ServiceName}' at {Primary}: Redis calls were held off for {HeldOffMs} ms")]
    public static partial void SentinelPrimaryFollowed(ILogger logger, string serviceName, string primary, long heldOffMs);

    [LoggerMessage(RedisCachingEventIds.SentinelPrimaryAnnounced, LogLevel.Information, "The sentinels name a new primary for '{ServiceName}': {Previous} -> {Primary}")]
    public static partial void SentinelPrimaryAnnounced(ILogger logger, string serviceName, string previous, string primary);

    [LoggerMessage(RedisCachingEventIds.SentinelWatchFailed, LogLevel.Warning, "Sentinel watch ({Subject}): {Reason}")]
    public static partial void SentinelWatchFailed(ILogger logger, string subject, string reason);

    [LoggerMessage(RedisCachingEventIds.SentinelEventsRefused, LogLevel.Warning, "The sentinel at {Sentinel} refused its event channels for service '{ServiceName}' ({Reason}): a failover is noticed by polling (every 250 ms while no sentinel gives its events), and writes acknowledged by the old primary meanwhile are lost at its demotion. Grant the sentinel user the channels (ACL '&*', or '&+failover-state-send-slaveof-noone &+promoted-slave &+switch-master &-failover-abort-*')")]
    public static partial void SentinelEventsRefused(ILogger logger, string serviceName, string sentinel, string reason);

    [LoggerMessage(RedisCachingEventIds.SentinelFailoverAbandoned, LogLevel.Warning, "Sentinel failover of '{ServiceName}' not followed: {Reason}")]
    public static partial void SentinelFailoverAbandoned(ILogger logger, string serviceName, string reason);

    [LoggerMessage(RedisCachingEventIds.ConnectionAttemptFailed, LogLevel.Warning, "Redis connection attempt failed: {FailureType} during {Stage} on {Endpoint} ({ConnectionType}){CertificateDetail}: {Reason}")]
    public static partial void ConnectionAttemptFailed(ILogger logger, ConnectionFailureType failureType, ConnectionAttemptStage stage, string endpoint, ConnectionType connectionType, string certificateDetail, string reason);

    [LoggerMessage(RedisCachingEventIds.HealthHandlerFailed, LogLevel.Error, "A HealthChanged handler threw; the connection carries on")]
    public static partial void HealthHandlerFailed(ILogger logger, Exception exception);

    [LoggerMessage(RedisCachingEventIds.ConnectFailed, LogLevel.Error, "Could not connect to Redis at {Endpoints} and AbortOnConnectFail is set")]
    public static partial void ConnectFailed(ILogger logger, string endpoints, Exception exception);

    [LoggerMessage(RedisCachingEventIds.CacheRedisCallFailed, LogLevel.Debug, "Cache call to Redis failed ({Operation}): {FailureKind}; degrading to memory and the factory")]
    public static partial void CacheRedisCallFailed(ILogger logger, string operation, string failureKind, Exception exception);

    [LoggerMessage(RedisCachingEventIds.CircuitOpened, LogLevel.Warning, "Redis failed {Failures} time(s) in a row: the cache stops calling it for {BreakDuration} and then probes it")]
    public static partial void CircuitOpened(ILogger logger, long failures, TimeSpan breakDuration);

    [LoggerMessage(RedisCachingEventIds.UnreadableEntry, LogLevel.Debug, "A cached entry could not be read ({Reason}); treated as a miss")]
    public static partial void UnreadableEntry(ILogger logger, string reason);

    [LoggerMessage(RedisCachingEventIds.FactoryFailedServedStale, LogLevel.Warning, "The factory failed or timed out; fail-safe served a stale value")]
    public static partial void FactoryFailedServedStale(ILogger logger, Exception? exception);

    [LoggerMessage(RedisCachingEventIds.BackgroundFactoryFailed, LogLevel.Warning, "A factory running in the background (eager refresh or after a soft timeout) failed")]
    public static partial void BackgroundFactoryFailed(ILogger logger, Exception exception);

    [LoggerMessage(RedisCachingEventIds.BackgroundWriteFailed, LogLevel.Warning, "A write the caller did not wait for (BackgroundRedisWrite) failed after it was sent; memory was not filled")]
    public static partial void BackgroundWriteFailed(ILogger logger, Exception exception);

    [LoggerMessage(RedisCachingEventIds.ScriptsRefused, LogLevel.Warning, "The server refuses scripts: sliding expiration extends entries with a plain PEXPIRE (which may also extend the TTL of a value written meanwhile), a get-or-set replaces an entry it could not use without checking that no other write landed meanwhile, and lazily marked tag lists are not compacted")]
    public static partial void ScriptsRefused(ILogger logger);

    [LoggerMessage(RedisCachingEventIds.MemoryTierStartFailed, LogLevel.Warning, "The in-process tier could not start; it stays empty and the cache works from Redis")]
    public static partial void MemoryTierStartFailed(ILogger logger, Exception exception);

    [LoggerMessage(RedisCachingEventIds.MemoryTierClusterTracking, LogLevel.Information, "In-process tier tracks {Count} cluster primaries: {Primaries}")]
    public static partial void MemoryTierClusterTracking(ILogger logger, int count, string primaries);

    [LoggerMessage(RedisCachingEventIds.MemoryTierClusterPrimariesChanged, LogLevel.Warning, "The cluster's primaries changed ({Change}); the in-process tier flushes and tracks the new set")]
    public static partial void MemoryTierClusterPrimariesChanged(ILogger logger, string change);

    [LoggerMessage(RedisCachingEventIds.MemoryTierLeaseUnavailable, LogLevel.Warning, "The server refused the PING that keeps the in-process tier's staleness bound ({Reason}); Memory:MaxStaleness is treated as off for this server, so memory hits rely on invalidations arriving in time")]
    public static partial void MemoryTierLeaseUnavailable(ILogger logger, string reason);

    [LoggerMessage(RedisCachingEventIds.MemoryTierLeaseTurnFailed, LogLevel.Error, "A turn of the in-process tier's lease thread failed; it goes on, and the staleness lease runs out by itself meanwhile")]
    public static partial void MemoryTierLeaseTurnFailed(ILogger logger, Exception exception);
}
