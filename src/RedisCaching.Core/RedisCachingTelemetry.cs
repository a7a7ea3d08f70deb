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

    /// <summary>
    /// The name of the <see cref="System.Diagnostics.ActivitySource"/> of memory-hit spans. Memory hits are not
    /// spans of <see cref="ActivitySourceName"/>: a span costs an <see cref="System.Diagnostics.Activity"/> and several
    /// times the hit itself, so tracing them is a separate choice (they are counted in the requests metric either way).
    /// </summary>
    public const string MemoryHitsActivitySourceName = "RedisCaching.MemoryHits";

    /// <summary>
    /// The span of one get-or-set call that memory did not answer; its <see cref="TierTag"/> says which tier did
    /// (memory hits: <see cref="MemoryHitsActivitySourceName"/>).
    /// </summary>
    public const string GetOrSetActivityName = "rediscaching.get_or_set";

    /// <summary>
    /// The span of one try-get call that memory did not answer; its <see cref="TierTag"/> says which tier did
    /// (<c>none</c> and <see cref="ResultTag"/> <c>miss</c> when nothing had the key).
    /// </summary>
    public const string TryGetActivityName = "rediscaching.try_get";

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
