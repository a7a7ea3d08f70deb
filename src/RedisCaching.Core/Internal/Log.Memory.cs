using System;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace RedisCaching.Internal;

/// <summary>Log messages of the in-process tier: modes, reasons and counts, never a key or a value.</summary>
internal static partial class Log
{
    [LoggerMessage(RedisCachingEventIds.MemoryTierCoherent, LogLevel.Information, "In-process tier coherent: mode {Mode}, tracking prefix {Prefix}")]
    public static partial void MemoryTierCoherent(ILogger logger, CacheCoherenceMode mode, string prefix);

    [LoggerMessage(RedisCachingEventIds.MemoryTierFallbackToBackplane, LogLevel.Warning, "The server refused CLIENT TRACKING ({Reason}); the in-process tier falls back to the pub/sub backplane, which does not see writes by other programs")]
    public static partial void MemoryTierFallbackToBackplane(ILogger logger, string reason);

    [LoggerMessage(RedisCachingEventIds.MemoryTierFlushed, LogLevel.Information, "In-process tier flushed ({Reason}): {Entries} entries dropped")]
    public static partial void MemoryTierFlushed(ILogger logger, string reason, int entries);

    [LoggerMessage(RedisCachingEventIds.MemoryTierReenabled, LogLevel.Information, "In-process tier coherent again: mode {Mode} after {Reason}")]
    public static partial void MemoryTierReenabled(ILogger logger, CacheCoherenceMode mode, string reason);

    [LoggerMessage(RedisCachingEventIds.MemoryTierRedirectBroken, LogLevel.Warning, "Invalidation redirect broken: {Problem}; re-enabling tracking")]
    public static partial void MemoryTierRedirectBroken(ILogger logger, string problem);

    [LoggerMessage(RedisCachingEventIds.MemoryTierEnableFailed, LogLevel.Debug, "Could not (re)establish the in-process tier's invalidation stream yet; retrying")]
    public static partial void MemoryTierEnableFailed(ILogger logger, Exception exception);

    [LoggerMessage(RedisCachingEventIds.MemoryTierStreamLost, LogLevel.Warning, "In-process tier lost its invalidation stream: {FailureType} on {Endpoint} ({ConnectionType}); it holds nothing until it is back")]
    public static partial void MemoryTierStreamLost(ILogger logger, string endpoint, ConnectionType connectionType, ConnectionFailureType failureType);
}
