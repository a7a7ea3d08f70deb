using System;
using System.Globalization;
using System.Linq;
using System.Security.Authentication;
using Microsoft.Extensions.Configuration;
using StackExchange.Redis;

namespace RedisCaching.Internal;

/// <summary>
/// Reads <c>RedisCaching:Redis</c> into <see cref="RedisConnectionOptions"/> by hand: no reflection (AOT-safe)
/// and errors that name the exact key and the expected format. Only keys present change the options.
/// </summary>
internal static partial class ConfigurationSectionReader
{
    public const string RedisSectionPath = RedisCachingOptions.SectionName + ":Redis";

    /// <summary>The configuration switch <c>RedisCaching:Redis:UseEnvironmentVariables</c> (default true).</summary>
    public static bool UseEnvironmentVariables(IConfiguration configuration) =>
        new SectionValues(configuration.GetSection(RedisSectionPath)).Bool("UseEnvironmentVariables") ?? true;

    public static void Apply(IConfiguration configuration, RedisConnectionOptions options)
    {
        var section = configuration.GetSection(RedisSectionPath);
        if (!section.Exists())
        {
            return;
        }

        var reader = new SectionValues(section);
        options.ConnectionString = reader.String("ConnectionString") ?? options.ConnectionString;
        options.Host = reader.String("Host") ?? options.Host;
        options.Port = reader.Int("Port") ?? options.Port;
        options.User = reader.String("User") ?? options.User;
        options.Password = reader.String("Password") ?? options.Password;
        options.ServiceName = reader.String("ServiceName") ?? options.ServiceName;
        options.SentinelUser = reader.String("SentinelUser") ?? options.SentinelUser;
        options.SentinelPassword = reader.String("SentinelPassword") ?? options.SentinelPassword;
        options.Database = reader.Int("Database") ?? options.Database;
        options.ClientName = reader.String("ClientName") ?? options.ClientName;
        options.AbortOnConnectFail = reader.Bool("AbortOnConnectFail") ?? options.AbortOnConnectFail;
        options.ConnectTimeout = reader.Duration("ConnectTimeout") ?? options.ConnectTimeout;
        options.CommandTimeout = reader.Duration("CommandTimeout") ?? options.CommandTimeout;
        options.ReconnectBaseDelay = reader.Duration("ReconnectBaseDelay") ?? options.ReconnectBaseDelay;
        options.ReconnectMaxDelay = reader.Duration("ReconnectMaxDelay") ?? options.ReconnectMaxDelay;
        options.KeepAlive = reader.Duration("KeepAlive") ?? options.KeepAlive;
        options.FailFastWhenDisconnected = reader.Bool("FailFastWhenDisconnected") ?? options.FailFastWhenDisconnected;
        options.Protocol = reader.Enum<RedisProtocol>("Protocol") ?? options.Protocol;
        options.HighIntegrity = reader.Bool("HighIntegrity") ?? options.HighIntegrity;
        options.AllowAdmin = reader.Bool("AllowAdmin") ?? options.AllowAdmin;
        options.PoolSize = reader.Int("PoolSize") ?? options.PoolSize;

        foreach (var endpoint in section.GetSection("Endpoints").GetChildren())
        {
            if (!string.IsNullOrWhiteSpace(endpoint.Value))
            {
                options.Endpoints.Add(endpoint.Value);
            }
        }

        ApplyTls(new SectionValues(section.GetSection("Tls")), options.Tls);
    }

    private static void ApplyTls(SectionValues reader, RedisTlsOptions tls)
    {
        tls.Enabled = reader.Bool("Enabled") ?? tls.Enabled;
        tls.ServerName = reader.String("ServerName") ?? tls.ServerName;
        tls.CaCertificatePath = reader.String("CaCertificatePath") ?? tls.CaCertificatePath;
        tls.ClientCertificatePath = reader.String("ClientCertificatePath") ?? tls.ClientCertificatePath;
        tls.ClientKeyPath = reader.String("ClientKeyPath") ?? tls.ClientKeyPath;
        tls.ClientCertificatePassword = reader.String("ClientCertificatePassword") ?? tls.ClientCertificatePassword;
        tls.CheckCertificateRevocation = reader.Bool("CheckCertificateRevocation") ?? tls.CheckCertificateRevocation;
        tls.Protocols = reader.Enum<SslProtocols>("Protocols") ?? tls.Protocols;
    }

    /// <summary>Typed reads of one section's values; a value that does not parse names its full key.</summary>
    private readonly struct SectionValues(IConfigurationSection section)
    {
        public string? String(string key) => section[key] is { Length: > 0 } value ? value : null;

        public int? Int(string key) => String(key) is { } text
            ? int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) ? value : throw Invalid(key, "a whole number")
            : null;

        public long? Long(string key) => String(key) is { } text
            ? long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) ? value : throw Invalid(key, "a whole number")
            : null;

        public bool? Bool(string key) => String(key) is { } text
            ? bool.TryParse(text, out var value) ? value : throw Invalid(key, "true or false")
            : null;

        public TimeSpan? Duration(string key) => String(key) is { } text
            ? TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out var value) ? value : throw Invalid(key, "a duration such as 00:00:02 or 00:00:00.500")
            : null;

        public float? Float(string key) => String(key) is { } text
            ? float.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) ? value : throw Invalid(key, "a number such as 0.8")
            : null;

        public double? Double(string key) => String(key) is { } text
            ? double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) ? value : throw Invalid(key, "a number such as 0.1")
            : null;

        /// <summary>A list written as children (<c>Tags:0</c>, <c>Tags:1</c>) or as one comma-separated value.</summary>
        public string[]? List(string key)
        {
            var children = section.GetSection(key).GetChildren().Select(child => child.Value).OfType<string>().ToArray();
            if (children.Length > 0)
            {
                return children;
            }

            return String(key) is { } text ? text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) : null;
        }

        public TEnum? Enum<TEnum>(string key)
            where TEnum : struct, Enum => String(key) is { } text
            ? System.Enum.TryParse<TEnum>(text, ignoreCase: true, out var value) ? value : throw Invalid(key, "one of " + string.Join(", ", System.Enum.GetNames<TEnum>()))
            : null;

        private RedisCachingConfigurationException Invalid(string key, string expected)
        {
            // The offending value is not echoed: the key might be a password someone pasted into the wrong field.
            var path = section.Path + ":" + key;
            return new RedisCachingConfigurationException(path, $"Configuration value {path} is invalid: expected {expected}.");
        }
    }
}
