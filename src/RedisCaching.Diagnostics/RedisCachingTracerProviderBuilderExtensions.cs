using System;
using RedisCaching;

namespace OpenTelemetry.Trace;

/// <summary>Adds the cache's spans to an OpenTelemetry tracer provider.</summary>
public static class RedisCachingTracerProviderBuilderExtensions
{
    /// <summary>
    /// Collects the <see cref="RedisCachingTelemetry.ActivitySourceName"/> source: a
    /// <see cref="RedisCachingTelemetry.GetOrSetActivityName"/> or <see cref="RedisCachingTelemetry.TryGetActivityName"/>
    /// span per call the memory tier did not answer, tagged with the tier that did, and a
    /// <see cref="RedisCachingTelemetry.FactoryActivityName"/> child span per factory run. Memory hits are not traced.
    /// </summary>
    /// <param name="builder">The tracer provider builder.</param>
    /// <returns>The same builder, for chaining.</returns>
    public static TracerProviderBuilder AddRedisCachingInstrumentation(this TracerProviderBuilder builder) =>
        AddRedisCachingInstrumentation(builder, includeMemoryHits: false);

    /// <summary>
    /// As <see cref="AddRedisCachingInstrumentation(TracerProviderBuilder)"/>; with <paramref name="includeMemoryHits"/>
    /// also a span per memory hit (the <see cref="RedisCachingTelemetry.MemoryHitsActivitySourceName"/> source), which
    /// costs each hit an <see cref="System.Diagnostics.Activity"/> and several times its time (benchmarks/README.md,
    /// "Telemetry overhead").
    /// </summary>
    /// <param name="builder">The tracer provider builder.</param>
    /// <param name="includeMemoryHits">Whether memory hits are spans too.</param>
    /// <returns>The same builder, for chaining.</returns>
    public static TracerProviderBuilder AddRedisCachingInstrumentation(this TracerProviderBuilder builder, bool includeMemoryHits)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.AddSource(RedisCachingTelemetry.ActivitySourceName);
        return includeMemoryHits ? builder.AddSource(RedisCachingTelemetry.MemoryHitsActivitySourceName) : builder;
    }
}
