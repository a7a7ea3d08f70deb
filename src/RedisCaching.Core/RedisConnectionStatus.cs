namespace RedisCaching;

/// <summary>The state of the connection to Redis.</summary>
public enum RedisConnectionStatus
{
    /// <summary>No connect has been attempted yet, or the first one is under way.</summary>
    NotConnected,

    /// <summary>Every multiplexer has a working connection.</summary>
    Connected,

    /// <summary>Some connections work and others are reconnecting (e.g. one of several endpoints or pooled multiplexers).</summary>
    Degraded,

    /// <summary>No connection works; StackExchange.Redis keeps reconnecting in the background.</summary>
    Disconnected,

    /// <summary>The connection was disposed.</summary>
    Disposed,
}
