namespace RedisCaching.Diagnostics;

/// <summary>One Redis primary's <c>INFO</c> figures; a delta is null on the first snapshot (nothing to compare with) or after a restart of the node.</summary>
public sealed class RedisNodeStats
{
    /// <summary>The node's endpoint (<c>host:port</c>).</summary>
    public required string Endpoint { get; init; }

    /// <summary>Why the node could not be read, or null when it was.</summary>
    public string? Error { get; init; }

    /// <summary><c>used_memory</c>, bytes.</summary>
    public long UsedMemory { get; init; }

    /// <summary><c>maxmemory</c>, bytes (0: unlimited).</summary>
    public long MaxMemory { get; init; }

    /// <summary><c>mem_fragmentation_ratio</c>.</summary>
    public double FragmentationRatio { get; init; }

    /// <summary><c>connected_clients</c>.</summary>
    public long ConnectedClients { get; init; }

    /// <summary><c>tracking_clients</c>: connections with client-side caching on (each instance's memory tier holds one).</summary>
    public long TrackingClients { get; init; }

    /// <summary><c>tracking_total_keys</c>: keys the server tracks for client-side caching (0 in broadcast mode, which keeps prefixes instead).</summary>
    public long TrackingKeys { get; init; }

    /// <summary><c>evicted_keys</c>, cumulative since the node started.</summary>
    public long EvictedKeys { get; init; }

    /// <summary><c>expired_keys</c>, cumulative since the node started.</summary>
    public long ExpiredKeys { get; init; }

    /// <summary><c>keyspace_hits</c>, cumulative since the node started (all clients, not only this cache).</summary>
    public long KeyspaceHits { get; init; }

    /// <summary><c>keyspace_misses</c>, cumulative since the node started.</summary>
    public long KeyspaceMisses { get; init; }

    /// <summary>Evicted keys since the previous snapshot.</summary>
    public long? EvictedKeysDelta { get; init; }

    /// <summary>Expired keys since the previous snapshot.</summary>
    public long? ExpiredKeysDelta { get; init; }

    /// <summary>Keyspace hits since the previous snapshot.</summary>
    public long? KeyspaceHitsDelta { get; init; }

    /// <summary>Keyspace misses since the previous snapshot.</summary>
    public long? KeyspaceMissesDelta { get; init; }
}
