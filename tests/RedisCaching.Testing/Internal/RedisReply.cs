using System;
using System.Collections.Generic;

namespace RedisCaching.Testing;

/// <summary>Parses the text redis-cli prints for INFO, CLUSTER INFO and SENTINEL MASTER.</summary>
internal static class RedisReply
{
    /// <summary>INFO and CLUSTER INFO: <c>field:value</c> lines, <c>#</c> section headers.</summary>
    public static Dictionary<string, string> Fields(string info)
    {
        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var line in info.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon > 0 && !line.StartsWith('#'))
            {
                fields[line[..colon]] = line[(colon + 1)..];
            }
        }

        return fields;
    }

    /// <summary>A flat array of field names and values, one per line (SENTINEL MASTER in redis-cli's raw output).</summary>
    public static Dictionary<string, string> Pairs(string reply)
    {
        var lines = reply.Split('\n', StringSplitOptions.TrimEntries);
        var pairs = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i + 1 < lines.Length; i += 2)
        {
            pairs[lines[i]] = lines[i + 1];
        }

        return pairs;
    }

    public static string Get(this Dictionary<string, string> fields, string name) =>
        fields.TryGetValue(name, out var value) ? value : string.Empty;
}
