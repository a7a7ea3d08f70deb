using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using RedisCaching.Internal.Keys;

namespace RedisCaching.Internal.NamedCaches;

/// <summary>
/// Checks the named caches together at start-up: names that differ only in case, configuration sections of caches
/// nobody registered (a typo would otherwise be ignored), and caches that would share a key space with each other
/// or with the main cache (they would read each other's entries).
/// </summary>
internal sealed class NamedCacheRegistryValidator(IServiceProvider services) : IValidateOptions<NamedCacheRegistry>
{
    public ValidateOptionsResult Validate(string? name, NamedCacheRegistry options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        var names = options.Names;
        foreach (var group in names.GroupBy(n => n, StringComparer.OrdinalIgnoreCase).Where(g => g.Count() > 1))
        {
            failures.Add($"The named caches {string.Join(" and ", group.Select(n => $"'{n}'"))} differ only in case: they would share the configuration section {ConfigurationSectionReader.NamedCachesSectionPath}:{group.Key}. Use one name.");
        }

        if (services.GetService<IConfiguration>() is { } configuration)
        {
            foreach (var section in configuration.GetSection(ConfigurationSectionReader.NamedCachesSectionPath).GetChildren())
            {
                if (!names.Contains(section.Key, StringComparer.OrdinalIgnoreCase))
                {
                    failures.Add($"{section.Path} is configured but no named cache '{section.Key}' is registered (registered: {Listed(names)}). Add AddRedisCaching().AddNamedCache(\"{section.Key}\") or correct the section name.");
                }
            }
        }

        failures.AddRange(SharedKeySpaces(names));
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private IEnumerable<string> SharedKeySpaces(IReadOnlyList<string> names)
    {
        var main = services.GetRequiredService<IOptions<RedisCachingOptions>>().Value;
        var monitor = services.GetRequiredService<IOptionsMonitor<NamedCacheOptions>>();
        var owners = new Dictionary<string, string>(StringComparer.Ordinal);
        if (KeySpaceOf(main.Keys) is { } mainSpace)
        {
            owners[mainSpace] = "the main cache";
        }

        foreach (var name in names)
        {
            string? space;
            try
            {
                space = KeySpaceOf(monitor.Get(name).Keys);
            }
            catch (Exception ex) when (ex is OptionsValidationException or RedisCachingConfigurationException)
            {
                // Reported by the cache's own validation.
                continue;
            }

            if (space is null)
            {
                continue;
            }

            if (owners.TryGetValue(space, out var owner))
            {
                yield return $"Named cache '{name}' would share the key space '{space}' with {owner}, so each would read the other's entries. Give it its own Keys:Namespace (it defaults to the cache's name) or Keys:Prefix.";
            }
            else
            {
                owners[space] = $"named cache '{name}'";
            }
        }
    }

    /// <summary>The fixed part of every Redis key of a cache, or null when the key options are invalid (reported elsewhere).</summary>
    private static string? KeySpaceOf(CacheKeyOptions keys)
    {
        try
        {
            return new CacheKeyBuilder(keys).Qualify(string.Empty);
        }
        catch (RedisCachingConfigurationException)
        {
            return null;
        }
    }

    private static string Listed(IReadOnlyList<string> names) => names.Count == 0 ? "none" : string.Join(", ", names);
}
