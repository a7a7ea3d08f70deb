using System;

namespace RedisCaching.Invalidation.Internal;

/// <summary>Turns a caller's pattern into the Redis glob SCAN matches: the cache's entry prefix, quoted, then the pattern.</summary>
internal static class PatternGlob
{
    /// <summary>Checks a caller's pattern: not empty, no control or whitespace characters, no <c>!</c> (no cache key contains one).</summary>
    /// <exception cref="ArgumentException">The pattern can never match a cache key.</exception>
    public static void Validate(string pattern)
    {
        ArgumentException.ThrowIfNullOrEmpty(pattern);
        foreach (var c in pattern)
        {
            if (c == ICacheKeySpace.InternalKeyMarker)
            {
                throw new ArgumentException("A pattern must not contain '!': no cache key does ('!' marks the cache's own keys, which patterns never reach).", nameof(pattern));
            }

            if (char.IsControl(c) || char.IsWhiteSpace(c))
            {
                throw new ArgumentException($"A pattern must not contain whitespace or control characters (U+{(int)c:X4}): no cache key does.", nameof(pattern));
            }
        }
    }

    /// <summary>The glob over full Redis keys: every glob character of the prefix quoted, so it matches only itself.</summary>
    public static string For(string entryPrefix, string pattern) => string.Concat(CachePattern.Escape(entryPrefix), pattern);

    /// <summary>Whether a key SCAN returned is one of the cache's own (tag token, lock, generation): never removed by a pattern.</summary>
    public static bool IsInternal(string redisKey, string entryPrefix) =>
        redisKey.Length > entryPrefix.Length && redisKey[entryPrefix.Length] == ICacheKeySpace.InternalKeyMarker;
}
