using System;
using System.Collections.Generic;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using RedisCaching.Invalidation.Internal;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the readiness gate of start-up warming: <c>services.AddHealthChecks().AddRedisCachingWarming()</c>.</summary>
public static class RedisCachingWarmingHealthChecksBuilderExtensions
{
    /// <summary>The tag the check carries unless told otherwise, the one readiness probes usually filter on.</summary>
    public const string ReadyTag = "ready";

    /// <summary>
    /// Adds a health check that reports <paramref name="whileWarming"/> until the first run of the scheduled warming
    /// (<c>AddWarming()</c>) has finished, then <see cref="HealthStatus.Healthy"/>, or <paramref name="failedWarming"/>
    /// when that run had a failure (a key that failed, a job that threw) and no later run has finished without one.
    /// Failures of later runs do not change it: it gates start-up, nothing else.
    /// </summary>
    /// <param name="builder">The health checks builder.</param>
    /// <param name="name">The registration's name.</param>
    /// <param name="tags">Tags to filter health checks by; <see langword="null"/> for <see cref="ReadyTag"/>.</param>
    /// <param name="whileWarming">
    /// The status while the first run goes on. <see cref="HealthStatus.Unhealthy"/> by default, because that is what
    /// holds traffic back: ASP.NET Core's health endpoint answers 200 for <see cref="HealthStatus.Degraded"/>.
    /// </param>
    /// <param name="failedWarming">
    /// The status after a first run with failures. <see cref="HealthStatus.Degraded"/> by default: a partly warm cache
    /// still serves correctly (misses go to the factory), so the instance becomes ready, while the status shows the
    /// failure; <see cref="HealthStatus.Unhealthy"/> keeps it out of rotation until a later run succeeds, which with
    /// no <c>Interval</c> (start-up only) is never.
    /// </param>
    /// <returns>The same builder, for chaining.</returns>
    public static IHealthChecksBuilder AddRedisCachingWarming(
        this IHealthChecksBuilder builder,
        string name = "rediscaching-warming",
        IEnumerable<string>? tags = null,
        HealthStatus whileWarming = HealthStatus.Unhealthy,
        HealthStatus failedWarming = HealthStatus.Degraded)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrEmpty(name);
        return builder.Add(new HealthCheckRegistration(
            name,
            services => new CacheWarmingHealthCheck(
                services.GetService<CacheWarmingState>(),
                whileWarming,
                failedWarming),
            HealthStatus.Unhealthy,
            tags ?? [ReadyTag]));
    }
}
