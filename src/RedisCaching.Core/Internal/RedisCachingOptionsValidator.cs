using System;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace RedisCaching.Internal;

/// <summary>
/// Validates the options at start-up by building the StackExchange.Redis configuration they describe. When the host
/// hands in its own multiplexer the connection options are not used, so there is nothing to validate.
/// </summary>
internal sealed class RedisCachingOptionsValidator(IServiceProvider services) : IValidateOptions<RedisCachingOptions>
{
    public ValidateOptionsResult Validate(string? name, RedisCachingOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        try
        {
            CacheKeyOptions.Validate(options.Keys);
            ValidateCacheSettings(options, services);

            // A host-supplied multiplexer means the address options are not used.
            if (services.GetService<ExternalMultiplexerSource>() is null)
            {
                ConfigurationOptionsBuilder.Validate(options.Redis);
            }

            return ValidateOptionsResult.Success;
        }
        catch (RedisCachingConfigurationException ex)
        {
            return ValidateOptionsResult.Fail(ex.Message);
        }
    }

    /// <summary>The cache settings (not the connection); named caches are checked with the same rules.</summary>
    internal static void ValidateCacheSettings(RedisCachingOptions options, IServiceProvider services)
    {
        if (options.RedisTimeout <= TimeSpan.Zero || options.RedisTimeout > TimeSpan.FromMinutes(1))
        {
            throw new RedisCachingConfigurationException("RedisTimeout", "RedisTimeout must be more than zero and at most a minute.");
        }

        if (options.CircuitBreakerThreshold < 1)
        {
            throw new RedisCachingConfigurationException("CircuitBreakerThreshold", "CircuitBreakerThreshold must be at least 1.");
        }

        if (options.CoalesceReadsAbove < 0)
        {
            throw new RedisCachingConfigurationException("CoalesceReadsAbove", "CoalesceReadsAbove must be zero (never coalesce reads) or more.");
        }

        if (options.CircuitBreakDuration <= TimeSpan.Zero)
        {
            throw new RedisCachingConfigurationException("CircuitBreakDuration", "CircuitBreakDuration must be more than zero.");
        }

        var memory = options.Memory;
        if (memory.MaxEntries < 1 || memory.MaxBytes < 1)
        {
            throw new RedisCachingConfigurationException("Memory", "Memory:MaxEntries and Memory:MaxBytes must be at least 1 (set Memory:Enabled=false to switch the tier off).");
        }

        if (memory.MaxStaleness != System.Threading.Timeout.InfiniteTimeSpan && memory.MaxStaleness < TimeSpan.FromMilliseconds(10))
        {
            throw new RedisCachingConfigurationException(
                "Memory:MaxStaleness",
                "Memory:MaxStaleness must be at least 10 ms (the coarse clock the memory-hit path reads moves in steps of 4-16 ms), or infinite (-00:00:00.001, Timeout.InfiniteTimeSpan) to turn the bound off.");
        }

        if (memory.MaxEntryLifetime <= TimeSpan.Zero || memory.RedirectCheckInterval <= TimeSpan.Zero)
        {
            throw new RedisCachingConfigurationException("Memory", "Memory:MaxEntryLifetime and Memory:RedirectCheckInterval must be more than zero.");
        }

        if (options.DefaultEntryOptions.Expiration is not { } expiration || expiration <= TimeSpan.Zero)
        {
            throw new RedisCachingConfigurationException("DefaultEntryOptions", "DefaultEntryOptions.Expiration must be set and positive.");
        }

        DistributedLockValidation.Validate(options);
        ValidateCompression(options.Compression);
        var codecs = Codecs.CodecSet.From(options, services);
        ValidateTypeOptions(codecs);
        ValidateProfiles(options, codecs);
    }

    /// <summary>Resolves every profile once, so a bad value (a zero sliding window, a tag with a space) fails at start-up, not on first use.</summary>
    private static void ValidateProfiles(RedisCachingOptions options, Codecs.CodecSet codecs)
    {
        var resolver = new Engine.EntryOptionsResolver(options.DefaultEntryOptions, options.Profiles, new Keys.CacheKeyBuilder(options.Keys).ToTagKey, codecs);
        try
        {
            resolver.Resolve(options.DefaultEntryOptions with { Profile = null });
        }
        catch (Exception ex) when (ex is ArgumentException or CacheKeyException)
        {
            throw new RedisCachingConfigurationException("Defaults", $"Defaults: {ex.Message}");
        }

        foreach (var name in options.Profiles.Keys)
        {
            try
            {
                resolver.Resolve(new CacheEntryOptions { Profile = name });
            }
            catch (Exception ex) when (ex is ArgumentException or CacheKeyException)
            {
                throw new RedisCachingConfigurationException("Profiles:" + name, $"Profiles:{name}: {ex.Message}");
            }
        }
    }

    private static void ValidateCompression(CompressionOptions compression)
    {
        if (compression.ThresholdBytes < 0 || compression.MaxDecompressedBytes <= 0)
        {
            throw new RedisCachingConfigurationException("Compression", "Compression:ThresholdBytes must be zero or more and Compression:MaxDecompressedBytes more than zero.");
        }

        if (compression.MinimumSavings is < 0 or >= 1 || double.IsNaN(compression.MinimumSavings))
        {
            throw new RedisCachingConfigurationException("Compression:MinimumSavings", "Compression:MinimumSavings must be at least 0 and below 1 (0.1 = 10%).");
        }
    }

    /// <summary>Each type's own format and codec must exist.</summary>
    private static void ValidateTypeOptions(Codecs.CodecSet codecs)
    {
        foreach (var (type, typeOptions) in codecs.TypeOptions)
        {
            try
            {
                if (typeOptions.Serializer is { } serializer)
                {
                    codecs.Serializer(serializer);
                }

                if (typeOptions.Compression is { } compression)
                {
                    codecs.Compressor(compression);
                }

                if (typeOptions.Encrypt && codecs.Encryptor is null)
                {
                    throw new ArgumentException(Codecs.CodecSet.NoEncryptorMessage);
                }
            }
            catch (ArgumentException ex)
            {
                throw new RedisCachingConfigurationException("TypeOptions", $"TypeOptions[{type.Name}]: {ex.Message}");
            }
        }
    }
}
