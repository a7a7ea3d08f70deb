using System;
using System.Collections.Generic;
using System.Globalization;
using StackExchange.Redis;

namespace RedisCaching.Internal;

/// <summary>
/// Parses <c>redis://[user:password@]host[:port][/db]</c> and <c>rediss://…</c> (the scheme of the Redis
/// URI spec and of most other clients). User and password are percent-decoded, so any character can be used.
/// </summary>
internal static class RedisUrlParser
{
    private const int DefaultPort = 6379;

    public static ParsedConnectionString Parse(string url)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri))
        {
            throw Invalid("ConnectionString", "it is not a valid URI (percent-encode special characters in the user and password)");
        }

        var useTls = uri.Scheme.Equals("rediss", StringComparison.OrdinalIgnoreCase);
        var host = uri.IdnHost;
        if (string.IsNullOrEmpty(host))
        {
            throw Invalid("host", "the host is missing");
        }

        var port = uri.IsDefaultPort || uri.Port < 0 ? DefaultPort : uri.Port;
        if (port is < 1 or > 65535)
        {
            throw Invalid("port", $"the port {port.ToString(CultureInfo.InvariantCulture)} is out of range (1-65535)");
        }

        if (!string.IsNullOrEmpty(uri.Query) || !string.IsNullOrEmpty(uri.Fragment))
        {
            throw Invalid("query", "query strings and fragments are not supported; set further options in RedisConnectionOptions");
        }

        var options = new ConfigurationOptions { Ssl = useTls };
        options.EndPoints.Add(host, port);
        var keywords = new HashSet<string>(StringComparer.OrdinalIgnoreCase) { "ssl" };

        ApplyUserInfo(uri.UserInfo, options, keywords);
        ApplyDatabase(uri.AbsolutePath, options, keywords);
        return new ParsedConnectionString(options, keywords);
    }

    private static void ApplyUserInfo(string userInfo, ConfigurationOptions options, HashSet<string> keywords)
    {
        if (string.IsNullOrEmpty(userInfo))
        {
            return;
        }

        // redis://user:password@host, redis://:password@host (password only) and redis://password@host
        // (a single token is the password, as in redis-py and Lettuce).
        var colon = userInfo.IndexOf(':', StringComparison.Ordinal);
        string? user;
        string password;
        if (colon < 0)
        {
            user = null;
            password = Uri.UnescapeDataString(userInfo);
        }
        else
        {
            user = Uri.UnescapeDataString(userInfo[..colon]);
            password = Uri.UnescapeDataString(userInfo[(colon + 1)..]);
        }

        if (!string.IsNullOrEmpty(user))
        {
            options.User = user;
            keywords.Add("user");
        }

        if (!string.IsNullOrEmpty(password))
        {
            options.Password = password;
            keywords.Add("password");
        }
    }

    private static void ApplyDatabase(string path, ConfigurationOptions options, HashSet<string> keywords)
    {
        var database = path.Trim('/');
        if (database.Length == 0)
        {
            return;
        }

        if (!int.TryParse(database, NumberStyles.None, CultureInfo.InvariantCulture, out var number))
        {
            throw Invalid("database", $"the database '{SecretRedactor.Truncate(database)}' is not a non-negative number");
        }

        options.DefaultDatabase = number;
        keywords.Add("defaultDatabase");
    }

    private static RedisCachingConfigurationException Invalid(string part, string reason) =>
        new(part, $"The redis:// connection string is invalid: {reason}. Expected redis://[user:password@]host[:port][/db] or rediss://….");
}
