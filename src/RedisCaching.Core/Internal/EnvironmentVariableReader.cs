using System;
using System.Globalization;

namespace RedisCaching.Internal;

/// <summary>
/// Applies <c>REDIS_URL</c>, then <c>REDIS_HOST</c>, <c>REDIS_PORT</c>, <c>REDIS_PASSWORD</c> and <c>REDIS_DB</c>
/// on top of what configuration said. <c>REDIS_URL</c> replaces the whole address (and the credentials and
/// database that came with the configured one); the single variables then override its parts.
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
        if (!options.UseEnvironmentVariables)
        {
            return;
        }

        if (Read(getVariable, Url) is { } url)
        {
            options.ConnectionString = url;
            options.Host = null;
            options.Port = null;
            options.User = null;
            options.Password = null;
            options.Database = null;
            options.Endpoints.Clear();
        }

        if (Read(getVariable, Host) is { } host)
        {
            options.Host = host;
            options.Endpoints.Clear();
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

    private static string? Read(Func<string, string?> getVariable, string name) =>
        getVariable(name) is { } value && !string.IsNullOrWhiteSpace(value) ? value.Trim() : null;

    private static int ParseNumber(string name, string value) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var number)
            ? number
            : throw new RedisCachingConfigurationException(name, $"The environment variable {name} must be a non-negative whole number.");
}
