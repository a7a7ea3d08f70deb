using System;
using Microsoft.Extensions.DependencyInjection.Extensions;
using RedisCaching;
using RedisCaching.Diagnostics;
using RedisCaching.Diagnostics.Internal;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers RedisCaching.Diagnostics services on the <c>AddRedisCaching()</c> builder.</summary>
public static class RedisCachingDiagnosticsBuilderExtensions
{
    /// <summary>
    /// Adds <see cref="ICacheAdministration"/>: a singleton for the main cache, and a keyed one for each named cache
    /// (<c>[FromKeyedServices("reports")] ICacheAdministration</c>). Calling it again changes nothing.
    /// </summary>
    /// <param name="builder">The builder <c>AddRedisCaching()</c> returned.</param>
    /// <returns>The same builder.</returns>
    public static IRedisCachingBuilder AddAdministration(this IRedisCachingBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        services.TryAddSingleton<ICacheAdministration>(static sp => new CacheAdministration(sp.GetRequiredService<ICache>(), sp.GetService<TimeProvider>() ?? TimeProvider.System));
        services.TryAddKeyedSingleton<ICacheAdministration>(
            KeyedService.AnyKey,
            static (sp, key) => new CacheAdministration(sp.GetRequiredKeyedService<ICache>(key), sp.GetService<TimeProvider>() ?? TimeProvider.System));
        return builder;
    }
}
