using System;
using Microsoft.Extensions.Logging;

namespace RedisCaching.Internal;

/// <summary>Log messages of the cross-process stampede lock: decisions and durations, never a key, a token or a value.</summary>
internal static partial class Log
{
    [LoggerMessage(RedisCachingEventIds.StampedeLockUnavailable, LogLevel.Debug, "Redis could not answer for the cross-process stampede lock; the factory runs without it")]
    public static partial void StampedeLockUnavailable(ILogger logger);

    [LoggerMessage(RedisCachingEventIds.StampedeLockWaiting, LogLevel.Debug, "Another process holds the stampede lock; waiting up to {Wait} for its value")]
    public static partial void StampedeLockWaiting(ILogger logger, TimeSpan wait);

    [LoggerMessage(RedisCachingEventIds.StampedeLockValueArrived, LogLevel.Debug, "The value from another process's factory arrived after {ElapsedMilliseconds} ms")]
    public static partial void StampedeLockValueArrived(ILogger logger, long elapsedMilliseconds);

    [LoggerMessage(RedisCachingEventIds.StampedeLockWaitTimedOut, LogLevel.Information, "Waited {Wait} for another process's factory without a value; the factory runs here ({Outcome})")]
    public static partial void StampedeLockWaitTimedOut(ILogger logger, TimeSpan wait, string outcome);

    [LoggerMessage(RedisCachingEventIds.StampedeLockLost, LogLevel.Warning, "The stampede lock had expired (or passed to another process) before its holder released it: the factory ran past the lock's lifetime of {Ttl}; nothing was deleted")]
    public static partial void StampedeLockLost(ILogger logger, TimeSpan ttl);

    [LoggerMessage(RedisCachingEventIds.StampedeLockRefreshLeft, LogLevel.Debug, "Another process holds the stampede lock; the eager refresh is left to it")]
    public static partial void StampedeLockRefreshLeft(ILogger logger);
}
