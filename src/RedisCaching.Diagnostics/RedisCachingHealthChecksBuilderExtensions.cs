using System;
using System.Collections.Generic;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using RedisCaching.Diagnostics;
using RedisCaching.Diagnostics.Internal;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the RedisCaching health check: <c>services.AddHealthChecks().AddRedisCaching()</c>.</summary>
public static class RedisCachingHealthChecksBuilderExtensions
{
    /// <summary>
    /// Checks the cache's Redis connection, PING latency, Redis memory (used vs maxmemory), hit rate, circuit breaker
    /// and coherence mode against <see cref="RedisCachingHealthCheckOptions"/>.
    /// </summary>
    /// <param name="builder">The health checks builder.</param>
    /// <param name="configure">Adjusts the thresholds (or the cache checked); the defaults are documented on the options.</param>
    /// <param name="name">The registration's name, also the name of its options.</param>
    /// <param name="failureStatus">The status reported when Redis cannot be reached; <see cref="HealthStatus.Unhealthy"/> when null.</param>
    /// <param name="tags">Tags to filter health checks by (e.g. <c>ready</c>).</param>
    /// <returns>The same builder, for chaining.</returns>
    public static IHealthChecksBuilder AddRedisCaching(
        this IHealthChecksBuilder builder,
        Action<RedisCachingHealthCheckOptions>? configure = null,
        string name = "rediscaching",
        HealthStatus? failureStatus = null,
        IEnumerable<string>? tags = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrEmpty(name);
        builder.Services.AddOptions<RedisCachingHealthCheckOptions>(name)
            .Configure(o => configure?.Invoke(o))
            .Validate(o => o.Problem() is null, $"The RedisCaching health check '{name}' has an invalid threshold: check RedisCachingHealthCheckOptions (ratios in (0, 1], counts and durations positive).")
            .ValidateOnStart();
        return builder.Add(new HealthCheckRegistration(
            name,
            services => new RedisCachingHealthCheck(services, services.GetRequiredService<IOptionsMonitor<RedisCachingHealthCheckOptions>>().Get(name)),
            failureStatus,
            tags));
    }
}
