using System;

namespace RedisCaching;

/// <summary>
/// How cache keys become Redis keys: <c>{Prefix}:{Environment}:{Tenant}:{Namespace}:v{Version}:{key}</c>, every
/// part but the prefix and the key optional. Bound from <c>RedisCaching:Keys</c>.
/// </summary>
public sealed class CacheKeyOptions
{
    /// <summary>The first part of every Redis key, and the prefix Redis tracks for invalidations. Must not overlap another app's prefix on the same server.</summary>
    /// <value>The default value is <c>rc</c>.</value>
    public string Prefix { get; set; } = "rc";

    /// <summary>The environment part (e.g. <c>production</c>), so environments sharing a server never read each other's entries.</summary>
    public string? Environment { get; set; }

    /// <summary>The tenant part, for multi-tenant apps.</summary>
    public string? Tenant { get; set; }

    /// <summary>The namespace part (an area of the app).</summary>
    public string? Namespace { get; set; }

    /// <summary>The schema version part: change it when the cached types change shape, and old entries are never read again.</summary>
    public string? Version { get; set; }

    /// <summary>The longest key the caller may pass (before the parts above are added).</summary>
    /// <value>The default value is 256.</value>
    public int MaxLength { get; set; } = 256;

    /// <summary>
    /// When set, a key longer than <see cref="MaxLength"/> is not rejected but replaced by its first 64 characters and
    /// the SHA-256 of the whole key.
    /// </summary>
    /// <value>The default value is <see langword="false"/>.</value>
    public bool HashLongKeys { get; set; }

    /// <summary>
    /// When set, the key space has a generation kept in Redis (at <c>{the parts above}!generation</c>) and every entry's
    /// key carries it: <c>{Prefix}:…:v{Version}:g{generation}:{key}</c>. Replacing the generation
    /// (<see cref="ICacheKeySpace.IncrementGenerationAsync"/>, or RedisCaching.Invalidation) makes every entry written
    /// before unreachable on every instance at once, whatever their number; they stay in Redis until their TTL. The
    /// generation is read through the in-process tier, so a memory hit costs nothing more; a Redis call costs a memory
    /// lookup, or one more round trip while the in-process tier is off or not coherent. Turning it on or off changes
    /// every key, so existing entries are not read again.
    /// </summary>
    /// <value>The default value is <see langword="false"/>.</value>
    public bool Generations { get; set; }

    /// <summary>
    /// Characters allowed besides ASCII letters and digits. Whitespace and control characters are never allowed
    /// (they break <c>redis-cli</c> and logs), and neither is <c>!</c>, which marks the cache's internal keys.
    /// </summary>
    /// <value>The default value is <c>:_-.{}/@=+#</c>.</value>
    public string AllowedPunctuation { get; set; } = ":_-.{}/@=+#";

    internal static void Validate(CacheKeyOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (string.IsNullOrWhiteSpace(options.Prefix) || options.Prefix.Contains(':', StringComparison.Ordinal))
        {
            throw new RedisCachingConfigurationException("Keys:Prefix", "Keys:Prefix must be a non-empty word without ':' (it becomes the first key part and the tracked prefix).");
        }

        if (options.AllowedPunctuation is null || options.AllowedPunctuation.Contains('!', StringComparison.Ordinal))
        {
            throw new RedisCachingConfigurationException("Keys:AllowedPunctuation", "Keys:AllowedPunctuation must not contain '!': it marks the cache's internal keys (tag tokens, locks).");
        }

        if (options.MaxLength is < 1 or > 4096)
        {
            throw new RedisCachingConfigurationException("Keys:MaxLength", "Keys:MaxLength must be between 1 and 4096.");
        }
    }
}
