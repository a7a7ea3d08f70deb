using System;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace RedisCaching.Internal.NamedCaches;

/// <summary>
/// The first two layers of a named cache's options: a copy of the main cache's settings (after all of their own
/// layers) with the namespace set to the name, then <c>RedisCaching:Caches:{name}</c>. The code passed to
/// <c>AddNamedCache</c> runs after this.
/// </summary>
internal sealed class NamedCacheOptionsSetup(IServiceProvider services) : IConfigureNamedOptions<NamedCacheOptions>
{
    public void Configure(string? name, NamedCacheOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (string.IsNullOrEmpty(name))
        {
            // The unnamed instance is not a cache.
            return;
        }

        var main = services.GetRequiredService<IOptions<RedisCachingOptions>>().Value;
        var keys = main.Keys;
        options.Keys = new CacheKeyOptions
        {
            Prefix = keys.Prefix,
            Environment = keys.Environment,
            Tenant = keys.Tenant,
            Namespace = name,
            Version = keys.Version,
            MaxLength = keys.MaxLength,
            HashLongKeys = keys.HashLongKeys,
            Generations = keys.Generations,
            AllowedPunctuation = keys.AllowedPunctuation,
        };
        options.DefaultEntryOptions = main.DefaultEntryOptions;
        options.Profiles.Clear();
        foreach (var (profile, entry) in main.Profiles)
        {
            options.Profiles[profile] = entry;
        }

        var memory = main.Memory;
        options.Memory = new MemoryTierOptions
        {
            Enabled = memory.Enabled,
            MaxEntries = memory.MaxEntries,
            MaxBytes = memory.MaxBytes,
            MaxEntryLifetime = memory.MaxEntryLifetime,
            BackplaneChannel = memory.BackplaneChannel,
            RedirectCheckInterval = memory.RedirectCheckInterval,
            MaxStaleness = memory.MaxStaleness,
        };

        if (services.GetService<IConfiguration>() is { } configuration)
        {
            ConfigurationSectionReader.ApplyNamedCache(configuration, name, options);
        }
    }

    public void Configure(NamedCacheOptions options) => Configure(Options.DefaultName, options);
}
