using System.Collections.Generic;
using System.Globalization;
using System.Linq;

namespace RedisCaching.Diagnostics.Internal;

/// <summary>The recommendations of a key analysis: plain rules over the groups' figures, each saying what to do.</summary>
internal static class KeyAnalysisAdvice
{
    /// <summary>An average entry above this is worth compressing (the engine compresses from 1 KiB when a codec is chosen).</summary>
    private const long LargeAverageBytes = 64 * 1024;

    /// <summary>A group holding more than this share of the bytes read dominates the cache's memory.</summary>
    private const double DominantShare = 0.5;

    public static IReadOnlyList<string> For(IReadOnlyList<KeyGroupStats> groups)
    {
        var advice = new List<string>();
        var total = groups.Sum(static g => g.Bytes);
        foreach (var group in groups)
        {
            if (group.WithoutTtl > 0)
            {
                advice.Add(string.Create(CultureInfo.InvariantCulture, $"'{group.Group}': {group.WithoutTtl} of {group.Keys} keys have no TTL; they stay until evicted or removed: give them an expiration."));
            }

            if (group.Keys > 0 && group.Bytes / group.Keys > LargeAverageBytes)
            {
                advice.Add(string.Create(CultureInfo.InvariantCulture, $"'{group.Group}': entries average {group.Bytes / group.Keys / 1024} KiB: a compressor for this profile (zstd, lz4) would cut Redis memory and bandwidth."));
            }

            if (groups.Count > 1 && total > 0 && group.Bytes > total * DominantShare)
            {
                advice.Add(string.Create(CultureInfo.InvariantCulture, $"'{group.Group}' holds {100.0 * group.Bytes / total:0} % of the bytes read: check its TTLs and sizes first."));
            }
        }

        return advice;
    }
}
