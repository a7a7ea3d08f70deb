using System;
using RedisCaching;

namespace OpenTelemetry.Trace;

/// <summary>Adds the cache's spans to an OpenTelemetry tracer provider.</summary>
public static class RedisCachingTracerProviderBuilderExtensions
{
    /// <summary>
    /// Collects the <see cref="RedisCachingTelemetry.ActivitySourceName"/> source: a
    /// <see cref="RedisCachingTelemetry.GetOrSetActivityName"/> span per get-or-set, tagged with the tier that
    /// answered, and a <see cref="RedisCachingTelemetry.FactoryActivityName"/> child span per factory run.
    /// </summary>
    /// <param name="builder">The tracer provider builder.</param>
    /// <returns>The same builder, for chaining.</returns>
    public static TracerProviderBuilder AddRedisCachingInstrumentation(this TracerProviderBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.AddSource(RedisCachingTelemetry.ActivitySourceName);
    }
}
