using System;

namespace RedisCaching.Internal;

/// <summary>Keeps secrets out of messages that may end up in logs.</summary>
internal static class SecretRedactor
{
    private const string Mask = "***";
    private static readonly string[] SecretKeywords = ["password", "sentinelPassword"];

    /// <summary>Replaces every secret value of a StackExchange.Redis connection string wherever it appears in a message.</summary>
    public static string RedactStackExchangeSecrets(string message, string connectionString)
    {
        var result = message;
        foreach (var part in connectionString.Split(','))
        {
            var equals = part.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0)
            {
                continue;
            }

            var keyword = part[..equals].Trim();
            var value = part[(equals + 1)..];
            if (value.Length > 0 && Array.Exists(SecretKeywords, k => k.Equals(keyword, StringComparison.OrdinalIgnoreCase)))
            {
                result = result.Replace(value, Mask, StringComparison.Ordinal);
            }
        }

        return result;
    }

    /// <summary>Shortens an echoed fragment so a pasted secret is never repeated whole.</summary>
    public static string Truncate(string value) => value.Length <= 32 ? value : string.Concat(value.AsSpan(0, 32), "…");
}
