using System;

namespace RedisCaching.Invalidation.Internal;

/// <summary>What an event name, an argument name and an argument value may hold.</summary>
internal static class CacheEventNames
{
    /// <summary>Longer names are refused: event names are logged, and a channel message is read by other programs too.</summary>
    public const int MaxNameLength = 200;

    /// <summary>Longer values are refused: an argument becomes part of a key.</summary>
    public const int MaxValueLength = 512;

    /// <summary>Letters, digits, <c>. _ - :</c>; safe to log (it carries no key material).</summary>
    public static bool IsValidEventName(string? name) => IsName(name, allowColon: true);

    public static bool IsValidArgumentName(string? name) => IsName(name, allowColon: false);

    /// <summary>A value that can be put into a key: not empty, no whitespace, control character or <c>!</c>.</summary>
    public static bool IsValidArgumentValue(string? value)
    {
        if (string.IsNullOrEmpty(value) || value.Length > MaxValueLength)
        {
            return false;
        }

        foreach (var c in value)
        {
            if (char.IsWhiteSpace(c) || char.IsControl(c) || c == ICacheKeySpace.InternalKeyMarker)
            {
                return false;
            }
        }

        return true;
    }

    private static bool IsName(string? name, bool allowColon)
    {
        if (string.IsNullOrEmpty(name) || name.Length > MaxNameLength)
        {
            return false;
        }

        foreach (var c in name)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-' || (allowColon && c == ':')))
            {
                return false;
            }
        }

        return true;
    }
}
