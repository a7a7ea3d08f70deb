using System;
using System.Threading;
using System.Threading.Tasks;
using StackExchange.Redis;

namespace RedisCaching;

/// <summary>
/// The shared connection to Redis every RedisCaching package uses. It connects on first use, keeps reconnecting
/// in the background, turns connection events into logs and a <see cref="Health"/> state, and disposes only the
/// multiplexers it created.
/// </summary>
public interface IRedisConnection : IAsyncDisposable, IDisposable
{
    /// <summary>The current health of the connection.</summary>
    RedisConnectionHealth Health { get; }

    /// <summary>Raised when <see cref="RedisConnectionHealth.Status"/> changes; handlers run on a StackExchange.Redis thread and must be quick.</summary>
    event EventHandler<RedisConnectionHealth>? HealthChanged;

    /// <summary>
    /// Returns a connected (or, while Redis is unreachable, reconnecting) multiplexer. The first call connects;
    /// with a pool of several, calls rotate over them.
    /// </summary>
    /// <param name="cancellationToken">Cancels the wait for the first connect (the connect itself goes on).</param>
    /// <returns>The multiplexer to use for the next operations.</returns>
    ValueTask<IConnectionMultiplexer> GetMultiplexerAsync(CancellationToken cancellationToken = default);
}
