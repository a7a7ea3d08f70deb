using System;
using System.Collections.Generic;
using StackExchange.Redis;

namespace RedisCaching;

/// <summary>
/// How RedisCaching connects to Redis. <c>AddRedisCaching</c> fills it from the configuration section
/// <c>RedisCaching:Redis</c>, the <c>REDIS_*</c> environment variables and code, in that order (see the README);
/// <see cref="RedisConnectionFactory"/> uses it exactly as given. Every setting left <see langword="null"/> keeps the
/// value the connection string gave, else the library default documented on it.
/// </summary>
public sealed class RedisConnectionOptions
{
    /// <summary>
    /// A connection string in one of three forms: <c>redis://[user:password@]host:port[/db]</c>,
    /// <c>rediss://…</c> (TLS), or StackExchange.Redis's own <c>host:port,password=…,ssl=true</c>.
    /// Settings below that are not <see langword="null"/> override what it says.
    /// </summary>
    public string? ConnectionString { get; set; }

    /// <summary>A host name or address; with <see cref="Port"/> it replaces the connection string's endpoints.</summary>
    public string? Host { get; set; }

    /// <summary>The port of <see cref="Host"/>.</summary>
    /// <value>The default value is 6379 (6380 is not assumed for TLS: say it).</value>
    public int? Port { get; set; }

    /// <summary>Further endpoints (<c>host:port</c>), added to those of the connection string or <see cref="Host"/>.</summary>
    public IList<string> Endpoints { get; } = new List<string>();

    /// <summary>
    /// The Sentinel service (master) name. When set, the endpoints (connection string, <see cref="Host"/>,
    /// <see cref="Endpoints"/>) are the sentinels, and the primary is whichever they name for this service, followed
    /// across failovers. The connection string's <c>serviceName=</c> says the same.
    /// </summary>
    public string? ServiceName { get; set; }

    /// <summary>The ACL user the sentinels require, when they require one (their own, not the data nodes').</summary>
    public string? SentinelUser { get; set; }

    /// <summary>The password the sentinels require (<c>requirepass</c> in sentinel.conf). Never logged and never echoed in an error message.</summary>
    public string? SentinelPassword { get; set; }

    /// <summary>The ACL user name (Redis 6+). Leave <see langword="null"/> for the default user.</summary>
    public string? User { get; set; }

    /// <summary>The password. Never logged and never echoed in an error message.</summary>
    public string? Password { get; set; }

    /// <summary>The logical database number.</summary>
    /// <value>The default value is 0.</value>
    public int? Database { get; set; }

    /// <summary>The client name shown by <c>CLIENT LIST</c>, which helps operators find this app's connections.</summary>
    /// <value>The default value is <c>RedisCaching</c>.</value>
    public string? ClientName { get; set; }

    /// <summary>TLS settings; TLS is on when <see cref="RedisTlsOptions.Enabled"/> is set, or the connection string asks for it.</summary>
    public RedisTlsOptions Tls { get; set; } = new();

    /// <summary>
    /// Whether start-up fails when Redis cannot be reached. A cache must not keep its host app from starting,
    /// so by default the app starts and the connection keeps retrying in the background.
    /// </summary>
    /// <value>The default value is <see langword="false"/>.</value>
    public bool? AbortOnConnectFail { get; set; }

    /// <summary>
    /// How long one connect attempt may take. Short, because a cache that is not there is a miss, not a reason to wait.
    /// </summary>
    /// <value>The default value is 2 seconds.</value>
    public TimeSpan? ConnectTimeout { get; set; }

    /// <summary>
    /// How long a command may take before it fails with a timeout. StackExchange.Redis's 5 s is far beyond a cache's
    /// latency budget; 1 s still covers the p99 of a busy, shared host while failing long before a typical request deadline.
    /// </summary>
    /// <value>The default value is 1 second.</value>
    public TimeSpan? CommandTimeout { get; set; }

    /// <summary>The first delay between reconnect attempts; it doubles up to <see cref="ReconnectMaxDelay"/>.</summary>
    /// <value>The default value is 250 milliseconds, so a restarted server is found again within a second.</value>
    public TimeSpan? ReconnectBaseDelay { get; set; }

    /// <summary>The longest delay between reconnect attempts.</summary>
    /// <value>The default value is 10 seconds, so an outage of minutes is not followed by a minute of waiting.</value>
    public TimeSpan? ReconnectMaxDelay { get; set; }

    /// <summary>How often an idle connection is checked with a PING, so a dead link is noticed without traffic.</summary>
    /// <value>The default value is 15 seconds.</value>
    public TimeSpan? KeepAlive { get; set; }

    /// <summary>
    /// Whether calls made while disconnected fail at once instead of queueing until a reconnect. A cache turns a
    /// failed call into a miss, which is better than holding the caller for the whole outage.
    /// </summary>
    /// <value>The default value is <see langword="true"/>.</value>
    public bool? FailFastWhenDisconnected { get; set; }

    /// <summary>The protocol to ask for; <see langword="null"/> keeps StackExchange.Redis's choice (RESP3, falling back to RESP2).</summary>
    public RedisProtocol? Protocol { get; set; }

    /// <summary>
    /// Opt-in check that every reply belongs to its command (StackExchange.Redis <c>HighIntegrity</c>). It costs an
    /// extra round of validation per command; see <c>benchmarks/README.md</c>.
    /// </summary>
    /// <value>The default value is <see langword="false"/>.</value>
    public bool? HighIntegrity { get; set; }

    /// <summary>Whether admin commands (<c>CLIENT KILL</c>, <c>INFO</c> on <c>IServer</c>, …) are allowed on this connection.</summary>
    /// <value>The default value is <see langword="false"/>.</value>
    public bool? AllowAdmin { get; set; }

    /// <summary>
    /// How many multiplexers to open and spread calls over. StackExchange.Redis pipelines every caller over one
    /// socket, and on the measured machines one multiplexer gave the highest throughput and the lowest p99
    /// (see the README's table), so more than one is only for special cases.
    /// </summary>
    /// <value>The default value is 1.</value>
    public int? PoolSize { get; set; }

    /// <summary>
    /// Builds the StackExchange.Redis configuration these options describe. Certificates named by path are loaded
    /// into the result and live as long as it does; <see cref="IRedisConnection"/> loads and disposes its own.
    /// </summary>
    /// <returns>A new <see cref="ConfigurationOptions"/>; each call returns a fresh instance.</returns>
    /// <exception cref="RedisCachingConfigurationException">A setting or the connection string is invalid.</exception>
    public ConfigurationOptions ToConfigurationOptions() => Internal.ConfigurationOptionsBuilder.Build(this, new Internal.TlsCertificateFiles());
}
