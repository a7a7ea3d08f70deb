using System;
using System.Globalization;

namespace RedisCaching.Internal;

/// <summary>
/// Applies <c>REDIS_URL</c>, then <c>REDIS_HOST</c>, <c>REDIS_PORT</c>, <c>REDIS_PASSWORD</c> and <c>REDIS_DB</c>
/// on top of what configuration said. <c>REDIS_URL</c> is a new address, so it replaces the configured one with
/// everything tied to it (credentials, database, endpoints, TLS switch and server name); the single variables
/// then override its parts.
/// </summary>
internal static class EnvironmentVariableReader
{
    public const string Url = "REDIS_URL";
    public const string Host = "REDIS_HOST";
    public const string Port = "REDIS_PORT";
    public const string Password = "REDIS_PASSWORD";
    public const string Database = "REDIS_DB";

    public static void Apply(RedisConnectionOptions options, Func<string, string?> getVariable)
    {
        if (Read(getVariable, Url) is { } url)
        {
            ValidateUrl(url);
            options.ConnectionString = url;
            AddressParts.ClearAddress(options);
        }

        if (Read(getVariable, Host) is { } host)
        {
            options.Host = host;
            options.Endpoints.Clear();

            // The certificate name belongs to the old host; keeping it would check the new one against it.
            options.Tls.ServerName = null;
        }

        if (Read(getVariable, Port) is { } port)
        {
            options.Port = ParseNumber(Port, port);
        }

        if (Read(getVariable, Password) is { } password)
        {
            options.Password = password;
        }

        if (Read(getVariable, Database) is { } database)
        {
            options.Database = ParseNumber(Database, database);
        }
    }

    private static void ValidateUrl(string url)
    {
        try
        {
            _ = ConnectionStringParser.Parse(url);
        }
        catch (RedisCachingConfigurationException ex)
        {
            throw new RedisCachingConfigurationException(Url, $"The environment variable {Url} is invalid: {ex.Message}");
        }
    }

    private static string? Read(Func<string, string?> getVariable, string name) =>
        getVariable(name) is { } value && !string.IsNullOrWhiteSpace(value) ? value.Trim() : null;

    private static int ParseNumber(string name, string value) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var number)
            ? number
            : throw new RedisCachingConfigurationException(name, $"The environment variable {name} must be a non-negative whole number.");
}
