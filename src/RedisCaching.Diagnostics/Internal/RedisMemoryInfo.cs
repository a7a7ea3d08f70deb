using System;
using System.Globalization;

namespace RedisCaching.Diagnostics.Internal;

/// <summary>The two fields of <c>INFO memory</c> the health check compares: <c>used_memory</c> and <c>maxmemory</c> (0 = unlimited).</summary>
internal readonly record struct RedisMemoryInfo(long UsedBytes, long MaxBytes)
{
    /// <summary>Used over max, or null when Redis has no limit.</summary>
    public double? Ratio => MaxBytes > 0 ? UsedBytes / (double)MaxBytes : null;

    /// <summary>Reads the fields out of an INFO reply (<c>name:value</c> lines); a missing field reads as 0.</summary>
    public static RedisMemoryInfo Parse(string info)
    {
        long used = 0;
        long max = 0;
        foreach (var range in info.AsSpan().Split('\n'))
        {
            var line = info.AsSpan(range).TrimEnd('\r');
            if (line.StartsWith("used_memory:", StringComparison.Ordinal))
            {
                used = long.Parse(line["used_memory:".Length..], NumberStyles.None, CultureInfo.InvariantCulture);
            }
            else if (line.StartsWith("maxmemory:", StringComparison.Ordinal))
            {
                max = long.Parse(line["maxmemory:".Length..], NumberStyles.None, CultureInfo.InvariantCulture);
            }
        }

        return new RedisMemoryInfo(used, max);
    }
}
