namespace RedisCaching.Testing;

/// <summary>What a <see cref="FaultProxy"/> does to the traffic it relays.</summary>
public enum FaultProxyMode
{
    /// <summary>Relays everything unchanged.</summary>
    PassThrough,

    /// <summary>Relays N more bytes from the server to each client, then resets the connection.</summary>
    CutAfterServerBytes,

    /// <summary>Accepts connections and keeps them open but relays nothing in either direction (held data flows again after).</summary>
    BlackHole,

    /// <summary>Delays every chunk, in both directions, by a fixed time.</summary>
    Latency,

    /// <summary>Closes every new connection at once (existing ones keep relaying).</summary>
    RefuseNewConnections,
}
