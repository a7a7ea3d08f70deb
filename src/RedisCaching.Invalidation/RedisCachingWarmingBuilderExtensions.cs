using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using RedisCaching;
using RedisCaching.Invalidation;
using RedisCaching.Invalidation.Internal;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers warming jobs that run at start-up and on a schedule, on the <c>AddRedisCaching()</c> builder.</summary>
public static class RedisCachingWarmingBuilderExtensions
{
    /// <summary>
    /// Adds the hosted service that runs every job registered with
    /// <see cref="AddWarmingJob{T}(IRedisCachingBuilder, string, Func{IServiceProvider, CancellationToken, IAsyncEnumerable{string}}, Func{IServiceProvider, string, CancellationToken, ValueTask{T}}, Action{CacheWarmingOptions}?)"/>
    /// once at start-up, then every <see cref="CacheWarmingScheduleOptions.Interval"/>, one job after another on the main
    /// cache's <see cref="ICacheWarmer"/>, and stops them (loads in flight finish, no new one starts) when the host stops.
    /// The host starts without waiting for the first run; add <c>AddRedisCachingWarming()</c> to the health checks to
    /// hold readiness until it is done. Adds <c>AddInvalidation()</c>; calling it again only adds another
    /// <paramref name="configure"/> step.
    /// </summary>
    /// <param name="builder">The builder <c>AddRedisCaching()</c> returned.</param>
    /// <param name="configure">Sets the schedule and the progress and report callbacks.</param>
    /// <returns>The same builder.</returns>
    public static IRedisCachingBuilder AddWarming(this IRedisCachingBuilder builder, Action<CacheWarmingScheduleOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.AddInvalidation();
        var services = builder.Services;
        services.AddOptions<CacheWarmingScheduleOptions>().Validate(static o => { o.Validate(); return true; }).ValidateOnStart();
        if (configure is not null)
        {
            services.Configure(configure);
        }

        services.TryAddSingleton<CacheWarmingState>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, CacheWarmingService>(static sp => new CacheWarmingService(
            sp,
            sp.GetServices<CacheWarmingJob>(),
            sp.GetRequiredService<IOptions<CacheWarmingScheduleOptions>>().Value,
            sp.GetRequiredService<CacheWarmingState>(),
            sp.GetService<TimeProvider>() ?? TimeProvider.System,
            sp.GetService<ILoggerFactory>()?.CreateLogger("RedisCaching.Invalidation") ?? NullLogger.Instance)));
        return builder;
    }

    /// <summary>
    /// Registers a warming job that the scheduled warming (<see cref="AddWarming"/>, added by this call) runs: each
    /// run enumerates <paramref name="keys"/> and loads every key with <paramref name="load"/>, as
    /// <see cref="ICacheWarmer.WarmAsync{T}"/> does (concurrency limit, skipping what the cache holds, failures reported
    /// to <see cref="CacheWarmingScheduleOptions.OnReport"/>).
    /// </summary>
    /// <typeparam name="T">The value type.</typeparam>
    /// <param name="builder">The builder <c>AddRedisCaching()</c> returned.</param>
    /// <param name="name">The job's name, in logs and callbacks (never a key).</param>
    /// <param name="keys">The keys: a list, or a query; the service provider is the run's scope (a scoped database context works).</param>
    /// <param name="load">Produces a key's value; the service provider is the run's scope.</param>
    /// <param name="configure">Adjusts the job's <see cref="CacheWarmingOptions"/> (concurrency, overwrite, entry options); checked here.</param>
    /// <returns>The same builder.</returns>
    /// <exception cref="ArgumentException"><paramref name="name"/> is empty, or an option is out of range.</exception>
    public static IRedisCachingBuilder AddWarmingJob<T>(
        this IRedisCachingBuilder builder,
        string name,
        Func<IServiceProvider, CancellationToken, IAsyncEnumerable<string>> keys,
        Func<IServiceProvider, string, CancellationToken, ValueTask<T>> load,
        Action<CacheWarmingOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(keys);
        ArgumentNullException.ThrowIfNull(load);
        var options = new CacheWarmingOptions();
        configure?.Invoke(options);
        options.Validate();
        builder.AddWarming();
        builder.Services.AddSingleton<CacheWarmingJob>(new CacheWarmingJob<T>(name, keys, load, options));
        return builder;
    }

    /// <summary>
    /// Registers a warming job over the keys this instance read most lately (<see cref="ICacheHotKeys"/> of the main
    /// cache: a sample, kept in process). A new instance has read nothing yet, so at start-up the job has no key;
    /// on a schedule with <see cref="CacheWarmingOptions.Overwrite"/> on it reloads the hottest keys before they expire.
    /// </summary>
    /// <typeparam name="T">The value type.</typeparam>
    /// <param name="builder">The builder <c>AddRedisCaching()</c> returned.</param>
    /// <param name="name">The job's name, in logs and callbacks (never a key).</param>
    /// <param name="count">How many of the hottest keys each run loads.</param>
    /// <param name="load">Produces a key's value; the service provider is the run's scope.</param>
    /// <param name="configure">Adjusts the job's <see cref="CacheWarmingOptions"/>; checked here.</param>
    /// <returns>The same builder.</returns>
    /// <exception cref="ArgumentException"><paramref name="name"/> is empty, <paramref name="count"/> is not positive, or an option is out of range.</exception>
    public static IRedisCachingBuilder AddHotKeyWarmingJob<T>(
        this IRedisCachingBuilder builder,
        string name,
        int count,
        Func<IServiceProvider, string, CancellationToken, ValueTask<T>> load,
        Action<CacheWarmingOptions>? configure = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        return builder.AddWarmingJob(
            name,
            (services, _) => HotKeys(services.GetRequiredService<ICache>(), count),
            load,
            configure);
    }

    // Read when the run starts, not at registration: the sample is what this instance has seen by then.
    private static IAsyncEnumerable<string> HotKeys(ICache cache, int count) =>
        (cache is ICacheHotKeys hot ? hot.GetHotKeys(count) : []).ToAsyncEnumerable();
}
