using System;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using RedisCaching;
using RedisCaching.Invalidation;
using RedisCaching.Invalidation.Internal;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers RedisCaching.Invalidation on the <c>AddRedisCaching()</c> builder.</summary>
public static class RedisCachingInvalidationBuilderExtensions
{
    /// <summary>
    /// Adds <see cref="ICacheInvalidator"/>, <see cref="ICacheWarmer"/>, <see cref="ICacheDependencies"/> (limits in
    /// <see cref="CacheDependencyOptions"/>) and <see cref="ICacheEventPublisher"/> (for the main cache; rules come from
    /// <c>MapEvent</c>). <see cref="ICacheInvalidator"/> is a singleton for the main cache, and a keyed one for each named cache
    /// (<c>[FromKeyedServices("reports")] ICacheInvalidator</c>, the key being the cache's name). The defaults of
    /// pattern runs come from the configuration section <c>RedisCaching:Invalidation</c> (<c>ScanCount</c>,
    /// <c>MinScanCount</c>, <c>MaxScannedKeysPerSecond</c>, <c>LatencyBudget</c>, <c>PauseBetweenBatches</c>,
    /// <c>ProgressInterval</c>), then from <paramref name="configure"/>; they are validated at start-up. Calling it
    /// again only adds another <paramref name="configure"/> step.
    /// </summary>
    /// <param name="builder">The builder <c>AddRedisCaching()</c> returned.</param>
    /// <param name="configure">Sets the defaults of <see cref="ICacheInvalidator.InvalidateByPatternAsync"/> (batch size, throttling).</param>
    /// <returns>The same builder.</returns>
    public static IRedisCachingBuilder AddInvalidation(this IRedisCachingBuilder builder, Action<PatternInvalidationOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        services.AddOptions<PatternInvalidationOptions>().ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IConfigureOptions<PatternInvalidationOptions>, PatternInvalidationOptionsSetup>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<PatternInvalidationOptions>, PatternInvalidationOptionsValidator>());
        if (configure is not null)
        {
            services.Configure(configure);
        }

        services.TryAddSingleton<ICacheInvalidator>(static sp => Create(sp, sp.GetRequiredService<ICache>()));
        services.TryAddKeyedSingleton<ICacheInvalidator>(
            KeyedService.AnyKey,
            static (sp, key) => Create(sp, sp.GetRequiredKeyedService<ICache>(key)));
        services.AddOptions<CacheDependencyOptions>().Validate(static o => { o.Validate(); return true; }).ValidateOnStart();
        services.TryAddSingleton<ICacheDependencies>(static sp => CreateDependencies(sp, sp.GetRequiredService<ICache>()));
        services.TryAddKeyedSingleton<ICacheDependencies>(
            KeyedService.AnyKey,
            static (sp, key) => CreateDependencies(sp, sp.GetRequiredKeyedService<ICache>(key)));
        services.TryAddSingleton<ICacheWarmer>(static sp => CreateWarmer(sp, sp.GetRequiredService<ICache>()));
        services.TryAddKeyedSingleton<ICacheWarmer>(
            KeyedService.AnyKey,
            static (sp, key) => CreateWarmer(sp, sp.GetRequiredKeyedService<ICache>(key)));
        services.TryAddSingleton<ICacheEventPublisher>(static sp => new CacheEventPublisher(
            sp.GetRequiredService<ICache>(),
            sp.GetRequiredService<ICacheInvalidator>(),
            sp.GetRequiredService<ICacheDependencies>(),
            sp.GetServices<CacheEventRule>(),
            Logger(sp)));
        return builder;
    }

    private static CacheInvalidator Create(IServiceProvider services, ICache cache) =>
        new(
            cache,
            services.GetRequiredService<IOptions<PatternInvalidationOptions>>().Value,
            services.GetService<TimeProvider>() ?? TimeProvider.System,
            Logger(services));

    private static CacheDependencies CreateDependencies(IServiceProvider services, ICache cache) =>
        new(cache, services.GetRequiredService<IOptions<CacheDependencyOptions>>().Value, Logger(services));

    private static CacheWarmer CreateWarmer(IServiceProvider services, ICache cache) =>
        new(cache, services.GetService<TimeProvider>() ?? TimeProvider.System, Logger(services));

    private static ILogger Logger(IServiceProvider services) =>
        services.GetService<ILoggerFactory>()?.CreateLogger("RedisCaching.Invalidation") ?? NullLogger.Instance;
}
