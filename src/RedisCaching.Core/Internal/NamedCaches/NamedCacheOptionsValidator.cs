using System;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace RedisCaching.Internal.NamedCaches;

/// <summary>Validates one named cache's settings at start-up with the main cache's rules; messages name the cache's section.</summary>
internal sealed class NamedCacheOptionsValidator(IServiceProvider services) : IValidateOptions<NamedCacheOptions>
{
    public ValidateOptionsResult Validate(string? name, NamedCacheOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (string.IsNullOrEmpty(name))
        {
            return ValidateOptionsResult.Skip;
        }

        try
        {
            var effective = NamedCacheFactory.Effective(services.GetRequiredService<IOptions<RedisCachingOptions>>().Value, options);
            CacheKeyOptions.Validate(effective.Keys);
            RedisCachingOptionsValidator.ValidateCacheSettings(effective, services);
            return ValidateOptionsResult.Success;
        }
        catch (RedisCachingConfigurationException ex)
        {
            return ValidateOptionsResult.Fail($"Named cache '{name}' ({ConfigurationSectionReader.NamedCachesSectionPath}:{name}): {ex.Message}");
        }
    }
}
