using System;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using RedisCaching.Internal;
using StackExchange.Redis;

namespace RedisCaching;

/// <summary>Creates an <see cref="IRedisConnection"/> without dependency injection (console apps, tools, tests).</summary>
public static class RedisConnectionFactory
{
    /// <summary>Creates a connection that opens its own multiplexer(s) on first use.</summary>
    /// <param name="options">The connection options; validated now.</param>
    /// <param name="loggerFactory">Where connection events are logged; none when <see langword="null"/>.</param>
    /// <param name="timeProvider">The clock for health timestamps; the system clock when <see langword="null"/>.</param>
    /// <returns>A connection the caller disposes.</returns>
    /// <exception cref="RedisCachingConfigurationException">An option is invalid.</exception>
    public static IRedisConnection Create(RedisConnectionOptions options, ILoggerFactory? loggerFactory = null, TimeProvider? timeProvider = null) =>
        RedisConnection.Create(options, CreateLogger(loggerFactory), timeProvider ?? TimeProvider.System);

    /// <summary>Wraps a multiplexer the caller owns; disposing the result does not dispose it.</summary>
    /// <param name="multiplexer">The caller's multiplexer.</param>
    /// <param name="loggerFactory">Where connection events are logged; none when <see langword="null"/>.</param>
    /// <param name="timeProvider">The clock for health timestamps; the system clock when <see langword="null"/>.</param>
    /// <returns>A connection over the caller's multiplexer.</returns>
    public static IRedisConnection Wrap(IConnectionMultiplexer multiplexer, ILoggerFactory? loggerFactory = null, TimeProvider? timeProvider = null) =>
        RedisConnection.Wrap(multiplexer, CreateLogger(loggerFactory), timeProvider ?? TimeProvider.System);

    private static ILogger CreateLogger(ILoggerFactory? loggerFactory) =>
        loggerFactory?.CreateLogger("RedisCaching.Connection") ?? NullLogger.Instance;
}
