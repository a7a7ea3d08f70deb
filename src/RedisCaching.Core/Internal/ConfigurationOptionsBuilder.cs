using System;
using System.Collections.Generic;
using System.Globalization;
using System.Net;
using StackExchange.Redis;

namespace RedisCaching.Internal;

/// <summary>
/// Builds StackExchange.Redis <see cref="ConfigurationOptions"/> from <see cref="RedisConnectionOptions"/>.
/// Order: the connection string first, then every option that is set, then library defaults for whatever neither
/// said. The defaults are the resilient ones a cache needs (see each option's documentation for the reason).
/// </summary>
internal static class ConfigurationOptionsBuilder
{
    public const string DefaultClientName = "RedisCaching";
    public static readonly TimeSpan DefaultConnectTimeout = TimeSpan.FromSeconds(2);
    public static readonly TimeSpan DefaultCommandTimeout = TimeSpan.FromSeconds(1);
    public static readonly TimeSpan DefaultReconnectBaseDelay = TimeSpan.FromMilliseconds(250);
    public static readonly TimeSpan DefaultReconnectMaxDelay = TimeSpan.FromSeconds(10);
    public static readonly TimeSpan DefaultKeepAlive = TimeSpan.FromSeconds(15);
    public const int DefaultPoolSize = 1;
    public const int MaxPoolSize = 32;
    private const int DefaultPort = 6379;

    /// <summary>Builds the configuration; certificate files are loaded into (and owned by) <paramref name="certificates"/>.</summary>
    public static ConfigurationOptions Build(RedisConnectionOptions source, TlsCertificateFiles certificates)
    {
        ArgumentNullException.ThrowIfNull(source);
        var parsed = source.ConnectionString is null
            ? new ParsedConnectionString(new ConfigurationOptions(), new HashSet<string>())
            : ConnectionStringParser.Parse(source.ConnectionString);
        var config = parsed.Options;

        ApplyEndpoints(source, config);
        ApplyCredentials(source, config);
        ApplyResilience(source, config, parsed);
        TlsConfigurator.Apply(source.Tls, config, parsed, certificates);
        ValidatePoolSize(source.PoolSize);

        // Exceptions from StackExchange.Redis then carry no key or command text, so a logged exception never
        // leaks a cache key; our own diagnostics say which operation failed.
        config.IncludeDetailInExceptions = false;
        return config;
    }

    /// <summary>Checks that <paramref name="source"/> builds, releasing anything loaded on the way.</summary>
    public static void Validate(RedisConnectionOptions source)
    {
        using var certificates = new TlsCertificateFiles();
        _ = Build(source, certificates);
    }

    public static int ResolvePoolSize(RedisConnectionOptions source) => source.PoolSize ?? DefaultPoolSize;

    private static void ApplyEndpoints(RedisConnectionOptions source, ConfigurationOptions config)
    {
        if (source.Host is not null)
        {
            if (string.IsNullOrWhiteSpace(source.Host))
            {
                throw new RedisCachingConfigurationException("Host", "Host is empty: give a host name or address, or leave it unset.");
            }

            // A host without a port keeps the port the connection string gave (REDIS_HOST over redis://old:6380).
            var port = source.Port ?? SinglePort(config) ?? DefaultPort;
            config.EndPoints.Clear();
            config.EndPoints.Add(source.Host.Trim(), ValidatePort(port));
        }
        else if (source.Port is { } port)
        {
            ValidatePort(port);
            ReplaceSinglePort(config, port);
        }

        foreach (var endpoint in source.Endpoints)
        {
            var parsed = string.IsNullOrWhiteSpace(endpoint) ? null : EndPointCollection.TryParse(endpoint.Trim());
            if (parsed is null)
            {
                throw new RedisCachingConfigurationException(
                    "Endpoints",
                    $"The endpoint '{SecretRedactor.Truncate(endpoint)}' is not of the form host:port.");
            }

            config.EndPoints.Add(parsed);
        }

        if (config.EndPoints.Count == 0)
        {
            throw new RedisCachingConfigurationException(
                "ConnectionString",
                "No Redis endpoint is configured: set RedisCaching:Redis:ConnectionString (or Host), or the REDIS_URL / REDIS_HOST environment variables.");
        }
    }

    private static int? SinglePort(ConfigurationOptions config) => config.EndPoints.Count == 1
        ? config.EndPoints[0] switch
        {
            DnsEndPoint { Port: > 0 } dns => dns.Port,
            IPEndPoint { Port: > 0 } ip => ip.Port,
            _ => null,
        }
        : null;

    private static void ReplaceSinglePort(ConfigurationOptions config, int port)
    {
        if (config.EndPoints.Count == 0)
        {
            config.EndPoints.Add("localhost", port);
            return;
        }

        if (config.EndPoints.Count > 1)
        {
            throw new RedisCachingConfigurationException(
                "Port",
                "Port is set but the connection string names several endpoints; give host:port in Endpoints instead.");
        }

        EndPoint replaced = config.EndPoints[0] switch
        {
            DnsEndPoint dns => new DnsEndPoint(dns.Host, port),
            IPEndPoint ip => new IPEndPoint(ip.Address, port),
            var other => throw new RedisCachingConfigurationException("Port", $"Cannot change the port of an endpoint of type {other.GetType().Name}."),
        };
        config.EndPoints.Clear();
        config.EndPoints.Add(replaced);
    }

    private static int ValidatePort(int port) => port is >= 1 and <= 65535
        ? port
        : throw new RedisCachingConfigurationException("Port", $"The port {port.ToString(CultureInfo.InvariantCulture)} is out of range (1-65535).");

    private static void ApplyCredentials(RedisConnectionOptions source, ConfigurationOptions config)
    {
        if (source.User is not null)
        {
            config.User = source.User.Length == 0 ? null : source.User;
        }

        if (source.Password is not null)
        {
            config.Password = source.Password.Length == 0 ? null : source.Password;
        }

        if (source.ServiceName is not null)
        {
            config.ServiceName = string.IsNullOrWhiteSpace(source.ServiceName)
                ? throw new RedisCachingConfigurationException("ServiceName", "ServiceName is empty: give the Sentinel service (master) name, or leave it unset for a server reached directly.")
                : source.ServiceName.Trim();
        }

        if (source.SentinelUser is not null)
        {
            config.SentinelUser = source.SentinelUser.Length == 0 ? null : source.SentinelUser;
        }

        if (source.SentinelPassword is not null)
        {
            config.SentinelPassword = source.SentinelPassword.Length == 0 ? null : source.SentinelPassword;
        }

        // The options, not the configuration: StackExchange.Redis's SentinelUser/SentinelPassword fall back to the data
        // nodes' User/Password when not set.
        if (!string.IsNullOrEmpty(source.SentinelUser ?? source.SentinelPassword) && string.IsNullOrEmpty(config.ServiceName))
        {
            throw new RedisCachingConfigurationException(
                "SentinelPassword",
                "SentinelUser/SentinelPassword are set but no ServiceName: set ServiceName (the Sentinel service name) so the endpoints are read as sentinels.");
        }

        if (source.Database is { } database)
        {
            if (database < 0)
            {
                throw new RedisCachingConfigurationException("Database", "Database must be 0 or more.");
            }

            config.DefaultDatabase = database;
        }
    }

    private static void ApplyResilience(RedisConnectionOptions source, ConfigurationOptions config, ParsedConnectionString parsed)
    {
        config.ClientName = source.ClientName ?? (parsed.Specifies("name") ? config.ClientName : DefaultClientName);
        config.AbortOnConnectFail = source.AbortOnConnectFail ?? (parsed.Specifies("abortConnect") && config.AbortOnConnectFail);

        if (source.ConnectTimeout is not null || !parsed.Specifies("connectTimeout"))
        {
            config.ConnectTimeout = Milliseconds("ConnectTimeout", source.ConnectTimeout ?? DefaultConnectTimeout);
        }

        if (source.CommandTimeout is not null || !(parsed.Specifies("syncTimeout") || parsed.Specifies("asyncTimeout")))
        {
            var command = Milliseconds("CommandTimeout", source.CommandTimeout ?? DefaultCommandTimeout);
            config.SyncTimeout = command;
            config.AsyncTimeout = command;
        }

        if (source.KeepAlive is not null || !parsed.Specifies("keepAlive"))
        {
            config.KeepAlive = Math.Max(1, (int)Math.Ceiling((source.KeepAlive ?? DefaultKeepAlive).TotalSeconds));
        }

        var baseDelay = Milliseconds("ReconnectBaseDelay", source.ReconnectBaseDelay ?? DefaultReconnectBaseDelay);
        var maxDelay = Milliseconds("ReconnectMaxDelay", source.ReconnectMaxDelay ?? DefaultReconnectMaxDelay);
        if (maxDelay < baseDelay)
        {
            throw new RedisCachingConfigurationException("ReconnectMaxDelay", "ReconnectMaxDelay must not be shorter than ReconnectBaseDelay.");
        }

        config.ReconnectRetryPolicy = new ExponentialRetry(baseDelay, maxDelay);

        // StackExchange.Redis notices a timed-out command on its heartbeat (1 s by default), so a 1 s timeout
        // could fire after 2 s. A faster heartbeat keeps the caller's deadline close to CommandTimeout; it is
        // a timer check, not a network round trip.
        config.HeartbeatInterval = TimeSpan.FromMilliseconds(Math.Clamp(config.AsyncTimeout / 4, 100, 1000));
        config.BacklogPolicy = source.FailFastWhenDisconnected ?? true ? BacklogPolicy.FailFast : BacklogPolicy.Default;

        if (source.Protocol is { } protocol)
        {
            config.Protocol = protocol;
        }

        if (source.HighIntegrity is { } highIntegrity)
        {
            config.HighIntegrity = highIntegrity;
        }

        if (source.AllowAdmin is { } allowAdmin)
        {
            config.AllowAdmin = allowAdmin;
        }
    }

    private static int Milliseconds(string setting, TimeSpan value)
    {
        if (value <= TimeSpan.Zero || value > TimeSpan.FromMinutes(10))
        {
            throw new RedisCachingConfigurationException(setting, $"{setting} must be more than zero and at most 10 minutes.");
        }

        return (int)Math.Ceiling(value.TotalMilliseconds);
    }

    private static void ValidatePoolSize(int? poolSize)
    {
        if (poolSize is < 1 or > MaxPoolSize)
        {
            throw new RedisCachingConfigurationException(
                "PoolSize",
                $"PoolSize must be between 1 and {MaxPoolSize.ToString(CultureInfo.InvariantCulture)}; 1 is the measured best (see the README).");
        }
    }
}
