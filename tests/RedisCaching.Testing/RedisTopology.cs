using System.Collections.Generic;

namespace RedisCaching.Testing;

/// <summary>
/// What a test asks for: a <see cref="RedisTopologyKind"/> plus the facts a test needs about it
/// (for ACL, the key pattern the user may touch).
/// </summary>
public sealed record RedisTopology
{
    private RedisTopology(RedisTopologyKind kind) => Kind = kind;

    /// <summary>One server, no authentication.</summary>
    public static RedisTopology Standalone { get; } = new(RedisTopologyKind.Standalone);

    /// <summary>One server with <c>requirepass</c> and a random password.</summary>
    public static RedisTopology Password { get; } = new(RedisTopologyKind.Password);

    /// <summary>
    /// One server whose default user is off; the ACL user <see cref="AclUserName"/> may touch only keys matching
    /// <see cref="AllowedKeyPattern"/> and runs no <c>@dangerous</c> command (no FLUSHDB, KEYS, CONFIG, DEBUG).
    /// </summary>
    public static RedisTopology AclUser { get; } = new(RedisTopologyKind.AclUser);

    /// <summary>TLS only (<c>--port 0 --tls-port P --tls-auth-clients no</c>).</summary>
    public static RedisTopology Tls { get; } = new(RedisTopologyKind.Tls);

    /// <summary>TLS only with <c>--tls-auth-clients yes</c>: a client certificate signed by the test CA is required.</summary>
    public static RedisTopology TlsClientCertificate { get; } = new(RedisTopologyKind.TlsClientCertificate);

    /// <summary>The kind of deployment.</summary>
    public RedisTopologyKind Kind { get; }

    /// <summary>The ACL user's name (used by <see cref="RedisTopologyKind.AclUser"/> only).</summary>
    public string AclUserName { get; init; } = "app";

    /// <summary>The key pattern the ACL user may touch (used by <see cref="RedisTopologyKind.AclUser"/> only).</summary>
    public string AllowedKeyPattern { get; init; } = "app:*";

    /// <summary>The prefix every key of a test must start with to be allowed on every topology.</summary>
    public string AllowedKeyPrefix => AllowedKeyPattern.TrimEnd('*');

    /// <summary>Whether clients must speak TLS.</summary>
    public bool UsesTls => Kind is RedisTopologyKind.Tls or RedisTopologyKind.TlsClientCertificate;

    /// <summary>Whether clients must present a certificate signed by the test CA.</summary>
    public bool RequiresClientCertificate => Kind is RedisTopologyKind.TlsClientCertificate;

    /// <summary>Every single-server topology, for parameterised tests.</summary>
    public static IReadOnlyList<RedisTopology> All { get; } = [Standalone, Password, AclUser, Tls, TlsClientCertificate];

    /// <inheritdoc/>
    public override string ToString() => Kind.ToString();
}
