using System;
using System.Buffers;
using System.Collections.Generic;

namespace RedisCaching.Internal.NamedCaches;

/// <summary>The names <c>AddNamedCache</c> registered (an options type, so it is validated at start-up as a whole).</summary>
internal sealed class NamedCacheRegistry
{
    private static readonly SearchValues<char> NameCharacters =
        SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.");

    private readonly List<string> _names = [];

    public IReadOnlyList<string> Names => _names;

    public void Add(string name)
    {
        if (!_names.Contains(name))
        {
            _names.Add(name);
        }
    }

    /// <summary>
    /// A name is also a configuration section and the default key namespace, so it is kept to characters that are
    /// safe in both (no ':' that would nest sections or add key parts).
    /// </summary>
    public static void ValidateName(string name)
    {
        if (string.IsNullOrWhiteSpace(name))
        {
            throw new ArgumentException("A named cache needs a name.", nameof(name));
        }

        if (name.AsSpan().IndexOfAnyExcept(NameCharacters) is var bad and >= 0)
        {
            throw new ArgumentException($"The cache name '{name}' has a character that is not allowed at position {bad}; use letters, digits, '-', '_' or '.'.", nameof(name));
        }
    }
}
