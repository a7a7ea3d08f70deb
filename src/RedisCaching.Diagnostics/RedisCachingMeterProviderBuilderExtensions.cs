using System;
using RedisCaching;

namespace OpenTelemetry.Metrics;

/// <summary>
/// Adds the cache's metrics to an OpenTelemetry meter provider. In the <c>OpenTelemetry.Metrics</c> namespace, like
/// OpenTelemetry's own instrumentation packages, so it shows up where the provider is built.
/// </summary>
public static class RedisCachingMeterProviderBuilderExtensions
{
    /// <summary>
    /// Collects the <see cref="RedisCachingTelemetry.MeterName"/> meter: requests by tier and result, sets, removals,
    /// invalidations, fail-safe activations, L1 entries/bytes/evictions, breaker state, factory duration, serialized
    /// size and <c>db.client.operation.duration</c> (see the README, "Observing the cache").
    /// </summary>
    /// <param name="builder">The meter provider builder.</param>
    /// <returns>The same builder, for chaining.</returns>
    public static MeterProviderBuilder AddRedisCachingInstrumentation(this MeterProviderBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.AddMeter(RedisCachingTelemetry.MeterName);
    }
}
