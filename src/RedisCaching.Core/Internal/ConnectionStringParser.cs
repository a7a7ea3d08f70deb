using System;
using System.Collections.Generic;
using StackExchange.Redis;

namespace RedisCaching.Internal;

/// <summary>
/// Turns any of the three accepted connection-string forms into StackExchange.Redis options, remembering which
/// settings the string spelled out so library defaults never override them.
/// </summary>
internal static class ConnectionStringParser
{
    public static ParsedConnectionString Parse(string connectionString)
    {
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            throw new RedisCachingConfigurationException(
                "ConnectionString",
                "The Redis connection string is empty. Use redis://host:port, rediss://host:port or host:port,password=….");
        }

        var trimmed = connectionString.Trim();
        var schemeEnd = trimmed.IndexOf("://", StringComparison.Ordinal);
        if (schemeEnd >= 0)
        {
            var scheme = trimmed[..schemeEnd];
            if (scheme.Equals("redis", StringComparison.OrdinalIgnoreCase) || scheme.Equals("rediss", StringComparison.OrdinalIgnoreCase))
            {
                return RedisUrlParser.Parse(trimmed);
            }

            throw new RedisCachingConfigurationException(
                "scheme",
                $"The connection string scheme '{SecretRedactor.Truncate(scheme)}' is not supported: use redis:// or rediss:// (TLS).");
        }

        return ParseStackExchangeForm(trimmed);
    }

    private static ParsedConnectionString ParseStackExchangeForm(string value)
    {
        ConfigurationOptions options;
        try
        {
            options = ConfigurationOptions.Parse(value);
        }
        catch (ArgumentException ex)
        {
            // StackExchange.Redis echoes offending values in its messages; strip every secret before rethrowing,
            // and do not chain the original exception, which still carries them.
            throw new RedisCachingConfigurationException(
                "ConnectionString",
                "The StackExchange.Redis connection string is invalid: " + SecretRedactor.RedactStackExchangeSecrets(ex.Message, value));
        }

        return new ParsedConnectionString(options, CollectKeywords(value));
    }

    private static HashSet<string> CollectKeywords(string value)
    {
        var keywords = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var part in value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var equals = part.IndexOf('=', StringComparison.Ordinal);
            if (equals > 0)
            {
                keywords.Add(part[..equals].Trim());
            }
        }

        return keywords;
    }
}
