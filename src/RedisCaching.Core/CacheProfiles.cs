using System;
using System.Collections.Generic;

namespace RedisCaching;

/// <summary>
/// The named TTL profiles the requirements define. Each can be overridden, and new ones added, in
/// <see cref="RedisCachingOptions.Profiles"/> or the configuration section <c>RedisCaching:Profiles:{name}</c>.
/// </summary>
public static class CacheProfiles
{
    /// <summary>The profiles and their expirations as shipped.</summary>
    /// <returns>A new dictionary (case-insensitive names) the options start from.</returns>
    public static Dictionary<string, CacheEntryOptions> CreateDefaults() => new(StringComparer.OrdinalIgnoreCase)
    {
        ["requirements"] = Expire(TimeSpan.FromHours(1)),
        ["features"] = Expire(TimeSpan.FromMinutes(15)),
        ["schema-validation"] = Expire(TimeSpan.FromHours(2)),
        ["database-queries"] = Expire(TimeSpan.FromMinutes(5)),
        ["user-preferences"] = Expire(TimeSpan.FromHours(24)),
        ["user-sessions"] = Expire(TimeSpan.FromMinutes(30)),
        ["documents"] = Expire(TimeSpan.FromHours(24)),
        ["ocr-results"] = Expire(TimeSpan.FromDays(7)),
        ["llm-extraction"] = Expire(TimeSpan.FromDays(30)),
        ["api-responses"] = Expire(TimeSpan.FromMinutes(5)),
        ["dashboard"] = Expire(TimeSpan.FromMinutes(10)),
        ["billing"] = Expire(TimeSpan.FromHours(1)),
        ["reference-data"] = Expire(TimeSpan.FromHours(24)),
        ["certificates"] = Expire(TimeSpan.FromHours(1)),
        ["hsm-keys"] = Expire(TimeSpan.FromMinutes(30)),
        ["revocation"] = Expire(TimeSpan.FromMinutes(15)),
        ["analytics-1h"] = Expire(TimeSpan.FromMinutes(1)),
        ["analytics-24h"] = Expire(TimeSpan.FromMinutes(5)),
        ["analytics-7d"] = Expire(TimeSpan.FromMinutes(30)),
        ["analytics-30d"] = Expire(TimeSpan.FromHours(1)),
        ["analytics-90d"] = Expire(TimeSpan.FromHours(4)),
    };

    private static CacheEntryOptions Expire(TimeSpan expiration) => new() { Expiration = expiration };
}
