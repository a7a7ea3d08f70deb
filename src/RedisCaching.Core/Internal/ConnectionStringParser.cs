using System;
using System.Collections.Generic;
using System.Text.RegularExpressions;
using StackExchange.Redis;

namespace RedisCaching.Internal;

/// <summary>
/// Turns any of the three accepted connection-string forms into StackExchange.Redis options, remembering which
/// settings the string spelled out so library defaults never override them.
/// </summary>
internal static partial class ConnectionStringParser
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
        var scheme = SchemePattern().Match(trimmed);
        if (scheme.Success)
        {
            var name = scheme.Groups[1].Value;
            if (name.Equals("redis", StringComparison.OrdinalIgnoreCase) || name.Equals("rediss", StringComparison.OrdinalIgnoreCase))
            {
                return RedisUrlParser.Parse(trimmed);
            }

            // The scheme is not echoed: whatever precedes "://" might be a secret pasted in the wrong place.
            throw new RedisCachingConfigurationException(
                "scheme",
                "The connection string scheme is not supported: use redis:// or rediss:// (TLS), or the StackExchange.Redis host:port,… form.");
        }

        return ParseStackExchangeForm(trimmed);
    }

    /// <summary>A URI scheme at the very start of the string (a "://" later on, e.g. in tunnel=http://…, is not one).</summary>
    [GeneratedRegex("^([A-Za-z][A-Za-z0-9+.-]*)://", RegexOptions.CultureInvariant)]
    private static partial Regex SchemePattern();

    private static ParsedConnectionString ParseStackExchangeForm(string value)
    {
        RejectStrayParts(value);
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

    /// <summary>
    /// StackExchange.Redis reads every part without "=" as an endpoint, so <c>password=ab,cd</c> silently becomes
    /// password "ab" and endpoint "cd", and the tail of the password would then be logged as an address. Only the
    /// first part may be a bare host; any other part without "=" must be host:port.
    /// </summary>
    private static void RejectStrayParts(string value)
    {
        var parts = value.Split(',', StringSplitOptions.TrimEntries);
        for (var i = 1; i < parts.Length; i++)
        {
            var part = parts[i];
            if (part.Length == 0 || part.Contains('=', StringComparison.Ordinal))
            {
                continue;
            }

            if (EndPointCollection.TryParse(part) is not (System.Net.DnsEndPoint { Port: > 0 } or System.Net.IPEndPoint { Port: > 0 }))
            {
                throw new RedisCachingConfigurationException(
                    "ConnectionString",
                    $"Part {i + 1} of the StackExchange.Redis connection string has no '=' and is not host:port. A password that contains ',' cannot be written in this form: set the Password option instead.");
            }
        }
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
