using System;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
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

    /// <summary>
    /// Adds <see cref="ISlowOperationLog"/>: Redis commands of any cache over <see cref="SlowOperationLogOptions.Threshold"/>
    /// are logged (<see cref="DiagnosticsEventIds.SlowRedisOperation"/>, the command and timings, never a key or value)
    /// and the last <see cref="SlowOperationLogOptions.Capacity"/> kept for the admin API. It listens from its first
    /// resolution on; while it listens, the engine times every Redis command (a clock read and a tag list, no allocation).
    /// </summary>
    /// <param name="builder">The builder <c>AddRedisCaching()</c> returned.</param>
    /// <param name="configure">Sets the threshold and the capacity.</param>
    /// <returns>The same builder.</returns>
    public static IRedisCachingBuilder AddSlowOperationLog(this IRedisCachingBuilder builder, Action<SlowOperationLogOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        var options = services.AddOptions<SlowOperationLogOptions>()
            .Validate(static o => o.Threshold > TimeSpan.Zero && o.Capacity >= 1, "SlowOperationLogOptions: Threshold must be positive and Capacity at least 1.")
            .ValidateOnStart();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        services.TryAddSingleton<ISlowOperationLog>(static sp => new SlowOperationRecorder(
            sp.GetRequiredService<IOptions<SlowOperationLogOptions>>().Value,
            sp.GetService<ILoggerFactory>()?.CreateLogger("RedisCaching.Diagnostics") ?? NullLogger.Instance,
            sp.GetService<TimeProvider>() ?? TimeProvider.System));
        return builder;
    }
}
