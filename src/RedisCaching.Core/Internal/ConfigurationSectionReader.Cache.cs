using Microsoft.Extensions.Configuration;

namespace RedisCaching.Internal;

/// <summary>The cache settings of the <c>RedisCaching</c> section: keys, Redis budget and breaker, fail-safe, profiles.</summary>
internal static partial class ConfigurationSectionReader
{
    public static void ApplyCache(IConfiguration configuration, RedisCachingOptions options)
    {
        var section = configuration.GetSection(RedisCachingOptions.SectionName);
        if (!section.Exists())
        {
            return;
        }

        var root = new SectionValues(section);
        options.RedisTimeout = root.Duration("RedisTimeout") ?? options.RedisTimeout;
        options.ThrowOnRedisFailure = root.Bool("ThrowOnRedisFailure") ?? options.ThrowOnRedisFailure;
        options.CircuitBreakerThreshold = root.Int("CircuitBreakerThreshold") ?? options.CircuitBreakerThreshold;
        options.CircuitBreakDuration = root.Duration("CircuitBreakDuration") ?? options.CircuitBreakDuration;
        options.FailSafeThrottleDuration = root.Duration("FailSafeThrottleDuration") ?? options.FailSafeThrottleDuration;

        var keys = new SectionValues(section.GetSection("Keys"));
        options.Keys.Prefix = keys.String("Prefix") ?? options.Keys.Prefix;
        options.Keys.Environment = keys.String("Environment") ?? options.Keys.Environment;
        options.Keys.Tenant = keys.String("Tenant") ?? options.Keys.Tenant;
        options.Keys.Namespace = keys.String("Namespace") ?? options.Keys.Namespace;
        options.Keys.Version = keys.String("Version") ?? options.Keys.Version;
        options.Keys.MaxLength = keys.Int("MaxLength") ?? options.Keys.MaxLength;
        options.Keys.HashLongKeys = keys.Bool("HashLongKeys") ?? options.Keys.HashLongKeys;
        options.Keys.AllowedPunctuation = keys.String("AllowedPunctuation") ?? options.Keys.AllowedPunctuation;

        var memory = new SectionValues(section.GetSection("Memory"));
        options.Memory.Enabled = memory.Bool("Enabled") ?? options.Memory.Enabled;
        options.Memory.MaxEntries = memory.Int("MaxEntries") ?? options.Memory.MaxEntries;
        options.Memory.MaxBytes = memory.Long("MaxBytes") ?? options.Memory.MaxBytes;
        options.Memory.MaxEntryLifetime = memory.Duration("MaxEntryLifetime") ?? options.Memory.MaxEntryLifetime;
        options.Memory.BackplaneChannel = memory.String("BackplaneChannel") ?? options.Memory.BackplaneChannel;
        options.Memory.RedirectCheckInterval = memory.Duration("RedirectCheckInterval") ?? options.Memory.RedirectCheckInterval;

        options.DefaultEntryOptions = ReadEntry(new SectionValues(section.GetSection("Defaults")), options.DefaultEntryOptions);
        foreach (var profile in section.GetSection("Profiles").GetChildren())
        {
            options.Profiles.TryGetValue(profile.Key, out var existing);
            options.Profiles[profile.Key] = ReadEntry(new SectionValues(profile), existing ?? new CacheEntryOptions());
        }
    }

    private static CacheEntryOptions ReadEntry(SectionValues values, CacheEntryOptions start) => start with
    {
        Expiration = values.Duration("Expiration") ?? start.Expiration,
        SlidingExpiration = values.Duration("SlidingExpiration") ?? start.SlidingExpiration,
        Tags = values.List("Tags") ?? start.Tags,
        FailSafeMaxDuration = values.Duration("FailSafeMaxDuration") ?? start.FailSafeMaxDuration,
        FactorySoftTimeout = values.Duration("FactorySoftTimeout") ?? start.FactorySoftTimeout,
        FactoryHardTimeout = values.Duration("FactoryHardTimeout") ?? start.FactoryHardTimeout,
        EagerRefreshThreshold = values.Float("EagerRefreshThreshold") ?? start.EagerRefreshThreshold,
        DistributedLockTimeout = values.Duration("DistributedLockTimeout") ?? start.DistributedLockTimeout,
    };
}
