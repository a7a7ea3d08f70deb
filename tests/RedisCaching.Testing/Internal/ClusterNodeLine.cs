using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;

namespace RedisCaching.Testing;

/// <summary>
/// One line of CLUSTER NODES: <c>&lt;id&gt; &lt;ip:port@cport&gt; &lt;flags&gt; &lt;primary id or -&gt; &lt;ping&gt; &lt;pong&gt;
/// &lt;epoch&gt; &lt;link&gt; &lt;slot ranges...&gt;</c>.
/// </summary>
internal sealed record ClusterNodeLine(string Id, int Port, IReadOnlySet<string> Flags, string? PrimaryId, IReadOnlyList<string> Slots)
{
    public bool IsPrimary => Flags.Contains("master");

    /// <summary>Flags that say the node is not a settled member (yet, or any more).</summary>
    public bool IsTroubled => Flags.Overlaps(["fail", "fail?", "handshake", "noaddr", "nofailover"]);

    /// <summary>The node as every member should see it: role, primary and slots, without "myself" or timings.</summary>
    public string Signature => string.Create(CultureInfo.InvariantCulture,
        $"{Id} {(IsPrimary ? "primary" : "replica")} {PrimaryId ?? "-"} {string.Join(',', Slots)}");

    public static IReadOnlyList<ClusterNodeLine> ParseAll(string clusterNodes) =>
        [.. clusterNodes.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(Parse)];

    public static ClusterNodeLine Parse(string line)
    {
        var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length < 8)
        {
            throw new FormatException($"Not a CLUSTER NODES line: {line}");
        }

        var address = parts[1].Split('@')[0];
        var port = int.Parse(address[(address.LastIndexOf(':') + 1)..], CultureInfo.InvariantCulture);
        var flags = parts[2].Split(',').ToHashSet(StringComparer.Ordinal);
        return new ClusterNodeLine(parts[0], port, flags, parts[3] == "-" ? null : parts[3], parts[8..]);
    }
}
