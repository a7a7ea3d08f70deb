using System;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using RedisCaching.Internal.NamedCaches;

namespace RedisCaching;

/// <summary>Named caches on <see cref="IRedisCachingBuilder"/>, for apps that need several caches with their own keys and defaults.</summary>
public static class NamedCacheBuilderExtensions
{
    /// <summary>
    /// Adds a named cache: a keyed <see cref="ICache"/> (<c>[FromKeyedServices("reports")] ICache</c>, or
    /// <see cref="ICacheProvider.GetCache"/>) with its own key space, defaults, profiles and in-process tier, over the
    /// shared Redis connection. Its settings start as a copy of the main cache's with <c>Keys.Namespace</c> = the
    /// name, then <c>RedisCaching:Caches:{name}</c> from configuration, then <paramref name="configure"/>; they are
    /// validated at start-up. Adding the same name again only adds another <paramref name="configure"/> step.
    /// </summary>
    /// <param name="builder">The builder <c>AddRedisCaching</c> returned.</param>
    /// <param name="name">The cache's name: letters, digits, '-', '_' or '.'; also its configuration section and default namespace.</param>
    /// <param name="configure">Code that sets the cache's options; it runs after configuration.</param>
    /// <returns>The same builder.</returns>
    /// <exception cref="ArgumentException"><paramref name="name"/> is empty or has a character that is not allowed.</exception>
    public static IRedisCachingBuilder AddNamedCache(this IRedisCachingBuilder builder, string name, Action<NamedCacheOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        NamedCacheRegistry.ValidateName(name);
        var services = builder.Services;

        // The setup (copy of the main settings, then configuration) must run before any configure step of a name.
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IConfigureOptions<NamedCacheOptions>, NamedCacheOptionsSetup>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<NamedCacheOptions>, NamedCacheOptionsValidator>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<NamedCacheRegistry>, NamedCacheRegistryValidator>());
        services.AddOptions<NamedCacheRegistry>().ValidateOnStart();
        services.Configure<NamedCacheRegistry>(registry => registry.Add(name));
        services.AddOptions<NamedCacheOptions>(name).ValidateOnStart();
        if (configure is not null)
        {
            services.Configure(name, configure);
        }

        services.TryAddKeyedSingleton<ICache>(name, static (provider, key) => NamedCacheFactory.Create(provider, (string)key!));
        return builder;
    }
}
