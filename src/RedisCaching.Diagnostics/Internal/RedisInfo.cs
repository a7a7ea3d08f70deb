using System;
using System.Collections.Generic;
using System.Globalization;

namespace RedisCaching.Diagnostics.Internal;

/// <summary>The <c>name:value</c> lines of an INFO reply (section headers and blank lines skipped).</summary>
internal sealed class RedisInfo
{
    private readonly Dictionary<string, string> _fields = new(StringComparer.Ordinal);

    public static RedisInfo Parse(string reply)
    {
        var info = new RedisInfo();
        foreach (var range in reply.AsSpan().Split('\n'))
        {
            var line = reply.AsSpan(range).TrimEnd('\r');
            var colon = line.IndexOf(':');
            if (colon > 0 && line[0] != '#')
            {
                info._fields[line[..colon].ToString()] = line[(colon + 1)..].ToString();
            }
        }

        return info;
    }

    /// <summary>An integer field, 0 when absent (older servers lack the tracking fields).</summary>
    public long Long(string name) =>
        _fields.TryGetValue(name, out var text) && long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) ? value : 0;

    /// <summary>A decimal field, 0 when absent.</summary>
    public double Double(string name) =>
        _fields.TryGetValue(name, out var text) && double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) ? value : 0;
}
