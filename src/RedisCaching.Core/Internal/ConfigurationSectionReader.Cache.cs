using System.Collections.Generic;
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
        options.CoalesceReadsAbove = root.Int("CoalesceReadsAbove") ?? options.CoalesceReadsAbove;

        ApplyKeys(new SectionValues(section.GetSection("Keys")), options.Keys);
        ApplyMemory(new SectionValues(section.GetSection("Memory")), options.Memory);
        ApplyCompression(new SectionValues(section.GetSection("Compression")), options.Compression);
        options.DefaultEntryOptions = ReadEntry(new SectionValues(section.GetSection("Defaults")), options.DefaultEntryOptions);
        ApplyProfiles(section.GetSection("Profiles"), options.Profiles);
    }

    private static void ApplyKeys(SectionValues keys, CacheKeyOptions options)
    {
        options.Prefix = keys.String("Prefix") ?? options.Prefix;
        options.Environment = keys.String("Environment") ?? options.Environment;
        options.Tenant = keys.String("Tenant") ?? options.Tenant;
        options.Namespace = keys.String("Namespace") ?? options.Namespace;
        options.Version = keys.String("Version") ?? options.Version;
        options.MaxLength = keys.Int("MaxLength") ?? options.MaxLength;
        options.HashLongKeys = keys.Bool("HashLongKeys") ?? options.HashLongKeys;
        options.Generations = keys.Bool("Generations") ?? options.Generations;
        options.AllowedPunctuation = keys.String("AllowedPunctuation") ?? options.AllowedPunctuation;
    }

    private static void ApplyMemory(SectionValues memory, MemoryTierOptions options)
    {
        options.Enabled = memory.Bool("Enabled") ?? options.Enabled;
        options.MaxEntries = memory.Int("MaxEntries") ?? options.MaxEntries;
        options.MaxBytes = memory.Long("MaxBytes") ?? options.MaxBytes;
        options.MaxEntryLifetime = memory.Duration("MaxEntryLifetime") ?? options.MaxEntryLifetime;
        options.BackplaneChannel = memory.String("BackplaneChannel") ?? options.BackplaneChannel;
        options.RedirectCheckInterval = memory.Duration("RedirectCheckInterval") ?? options.RedirectCheckInterval;
        options.MaxStaleness = memory.Duration("MaxStaleness") ?? options.MaxStaleness;
    }

    private static void ApplyCompression(SectionValues compression, CompressionOptions options)
    {
        options.ThresholdBytes = compression.Int("ThresholdBytes") ?? options.ThresholdBytes;
        options.MinimumSavings = compression.Double("MinimumSavings") ?? options.MinimumSavings;
        options.MaxDecompressedBytes = compression.Int("MaxDecompressedBytes") ?? options.MaxDecompressedBytes;
        options.Level = compression.Enum<System.IO.Compression.CompressionLevel>("Level") ?? options.Level;
    }

    private static void ApplyProfiles(IConfigurationSection profiles, IDictionary<string, CacheEntryOptions> options)
    {
        foreach (var profile in profiles.GetChildren())
        {
            options.TryGetValue(profile.Key, out var existing);
            options[profile.Key] = ReadEntry(new SectionValues(profile), existing ?? new CacheEntryOptions());
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
        Serializer = values.String("Serializer") ?? start.Serializer,
        Compression = values.String("Compression") ?? start.Compression,
        Encrypt = values.Bool("Encrypt") ?? start.Encrypt,
        BackgroundRedisWrite = values.Bool("BackgroundRedisWrite") ?? start.BackgroundRedisWrite,
    };
}
