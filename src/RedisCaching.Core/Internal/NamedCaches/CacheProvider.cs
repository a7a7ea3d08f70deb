using System;
using System.Collections.Generic;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace RedisCaching.Internal.NamedCaches;

/// <summary>Named caches by name: the keyed services, with an error that lists the registered names.</summary>
internal sealed class CacheProvider(IServiceProvider services, IOptions<NamedCacheRegistry> registry) : ICacheProvider
{
    public IReadOnlyCollection<string> Names => registry.Value.Names;

    public ICache GetCache(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        foreach (var registered in registry.Value.Names)
        {
            if (string.Equals(registered, name, StringComparison.Ordinal))
            {
                return services.GetRequiredKeyedService<ICache>(registered);
            }
        }

        var names = registry.Value.Names;
        throw new ArgumentException(
            $"No named cache '{name}' is registered (registered: {(names.Count == 0 ? "none" : string.Join(", ", names))}); add it with AddRedisCaching().AddNamedCache(\"{name}\").",
            nameof(name));
    }
}
