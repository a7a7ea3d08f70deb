using System;
using System.Collections.Generic;

namespace RedisCaching.Invalidation.Internal;

/// <summary>
/// What an entry written through <see cref="ICacheDependencies"/> carries, kept in Redis at
/// <c>{key prefix}!deps:{key}</c> so entries that depend on it can carry the same. Format version 1, a string:
/// <c>v1\n{depth}\n{tag}\n{tag}…</c> (tags follow the key rules, so they hold no line break). A record that does not
/// parse reads as none.
/// </summary>
internal readonly record struct DependencyRecord(int Depth, IReadOnlyList<string> Tags)
{
    public static string KeyFor(ICacheKeySpace keySpace, string key) => keySpace.KeyPrefix + ICacheKeySpace.InternalKeyMarker + "deps:" + key;

    public string Encode() => "v1\n" + Depth.ToString(System.Globalization.CultureInfo.InvariantCulture) + "\n" + string.Join('\n', Tags);

    public static DependencyRecord? Decode(string? text)
    {
        if (text is null || !text.StartsWith("v1\n", StringComparison.Ordinal))
        {
            return null;
        }

        // An entry without tags ends in its depth's line break: no empty tag.
        var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        if (lines.Length < 2 || !int.TryParse(lines[1], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var depth))
        {
            return null;
        }

        return new DependencyRecord(depth, lines.Length > 2 ? lines[2..] : []);
    }
}
