namespace RedisCaching;

/// <summary>
/// The names the cache publishes its telemetry under, for <c>MeterProviderBuilder.AddMeter</c> and
/// <c>TracerProviderBuilder.AddSource</c> (or any <see cref="System.Diagnostics.Metrics.MeterListener"/> /
/// <see cref="System.Diagnostics.ActivityListener"/>). Tags never carry a key or a value.
/// </summary>
public static class RedisCachingTelemetry
{
    /// <summary>The name of the <see cref="System.Diagnostics.Metrics.Meter"/> every cache instrument belongs to.</summary>
    public const string MeterName = "RedisCaching";

    /// <summary>The name of the <see cref="System.Diagnostics.ActivitySource"/> the cache's spans come from.</summary>
    public const string ActivitySourceName = "RedisCaching";

    /// <summary>The span of one get-or-set call; its <see cref="TierTag"/> says which tier answered.</summary>
    public const string GetOrSetActivityName = "rediscaching.get_or_set";

    /// <summary>The span of a factory run, a child of <see cref="GetOrSetActivityName"/>.</summary>
    public const string FactoryActivityName = "rediscaching.factory";

    /// <summary>Tag: the cache's name (<c>default</c> for the unnamed cache, the options name of a named cache).</summary>
    public const string CacheNameTag = "rediscaching.cache.name";

    /// <summary>Tag: the tier a request was answered from: <c>memory</c>, <c>redis</c>, <c>factory</c> or <c>none</c>.</summary>
    public const string TierTag = "rediscaching.cache.tier";

    /// <summary>Tag: the result of a request: <c>hit</c>, <c>miss</c> or <c>stale</c>.</summary>
    public const string ResultTag = "rediscaching.cache.result";

    /// <summary>Tag: the compressor's name (<c>brotli</c>, <c>gzip</c>, <c>zstd</c>, …) on the compression ratio.</summary>
    public const string CompressorTag = "rediscaching.compressor";

    /// <summary>Tag: the direction of an invalidation message: <c>received</c> or <c>sent</c>.</summary>
    public const string DirectionTag = "rediscaching.invalidation.direction";
}
