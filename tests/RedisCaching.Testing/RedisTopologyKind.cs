namespace RedisCaching.Testing;

/// <summary>The shapes of Redis deployment the fixtures can start.</summary>
/// <remarks>
/// These are single-server topologies. Sentinel (primary + replica + 3 sentinels) and Cluster (6 nodes) own several
/// processes each and have their own start methods (<see cref="RedisTestServers.StartSentinelAsync"/>,
/// <see cref="RedisTestServers.StartClusterAsync"/>), so the single-server <see cref="IRedisTestServer"/> seam stays as it is.
/// </remarks>
public enum RedisTopologyKind
{
    /// <summary>One server, no authentication.</summary>
    Standalone,

    /// <summary>One server with <c>requirepass</c> and a random password.</summary>
    Password,

    /// <summary>One server whose default user is disabled; clients use an ACL user limited to a key pattern.</summary>
    AclUser,

    /// <summary>One server that listens on TLS only; clients need not present a certificate.</summary>
    Tls,

    /// <summary>One server that listens on TLS only and requires a client certificate signed by the test CA.</summary>
    TlsClientCertificate,
}
