using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Runtime.CompilerServices;
using RedisCaching.Internal.Engine;

namespace RedisCaching.Internal.Telemetry;

/// <summary>
/// The cache's <see cref="Meter"/> and <see cref="ActivitySource"/>. What the engine already counts (requests by tier
/// and result, sets, removals, invalidations, fail-safe, L1 state) is published through observable instruments
/// that read the plain counters at collection time: a hit costs one interlocked increment whether anybody listens
/// or not, and never builds a tag list. Only what has no counter (durations, sizes) is recorded per call, and only
/// when the instrument is enabled.
/// </summary>
internal static class CacheInstruments
{
    public static readonly Meter Meter = new(RedisCachingTelemetry.MeterName, typeof(CacheInstruments).Assembly.GetName().Version?.ToString());

    public static readonly ActivitySource Source = new(RedisCachingTelemetry.ActivitySourceName, typeof(CacheInstruments).Assembly.GetName().Version?.ToString());

    /// <summary>Spans of memory hits, off unless a listener subscribes to this source by name (see <see cref="MemoryHitSpan"/>).</summary>
    public static readonly ActivitySource MemoryHitSource = new(RedisCachingTelemetry.MemoryHitsActivitySourceName, typeof(CacheInstruments).Assembly.GetName().Version?.ToString());

    /// <summary>Live caches, held weakly: one nobody disposed still leaves the gauges once it is collected.</summary>
    private static readonly ConditionalWeakTable<RedisCache, object?> Caches = new();

    /// <summary>The OpenTelemetry semantic conventions' recommended buckets for <c>db.client.operation.duration</c>.</summary>
    private static readonly InstrumentAdvice<double> DurationAdvice = new()
    {
        HistogramBucketBoundaries = [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10],
    };

    public static readonly Histogram<double> FactoryDuration = Meter.CreateHistogram(
        "rediscaching.cache.factory.duration", "s", "Duration of factory runs (cache misses that reached the data source).", tags: null, DurationAdvice);

    public static readonly Histogram<long> SerializedSize = Meter.CreateHistogram<long>(
        "rediscaching.cache.serialized.size", "By", "Size of entries written to Redis (envelope and payload, after compression and encryption).");

    public static readonly Histogram<double> CompressionRatio = Meter.CreateHistogram<double>(
        "rediscaching.cache.compression.ratio", "1", "Compressed size over serialized size of each payload compressed (lower is better; a payload that saved too little is stored uncompressed but still recorded).");

    public static readonly Histogram<double> RedisOperationDuration = Meter.CreateHistogram(
        "db.client.operation.duration", "s", "Duration of Redis commands sent by the cache.", tags: null, DurationAdvice);

    static CacheInstruments()
    {
        Meter.CreateObservableCounter("rediscaching.cache.requests", ObserveRequests, "{request}", "Cache reads by the tier that answered and the result (a stale result follows a miss of the same request).");
        Meter.CreateObservableCounter("rediscaching.cache.sets", () => Each(static c => c.Counters.Sets), "{entry}", "Entries written by the cache (set calls and factory results).");
        Meter.CreateObservableCounter("rediscaching.cache.removals", () => Each(static c => c.Counters.Removals), "{entry}", "Entries removed by key.");
        Meter.CreateObservableCounter("rediscaching.cache.invalidations", ObserveInvalidations, "{message}", "Invalidation messages received by the memory tier and sent on the backplane.");
        Meter.CreateObservableCounter("rediscaching.cache.fail_safe.activations", () => Each(static c => c.Counters.StaleServed), "{activation}", "Times fail-safe served a stale value instead of failing.");
        Meter.CreateObservableGauge("rediscaching.cache.l1.entries", () => Each(static c => c.Memory.Count), "{entry}", "Entries held by the in-process (L1) tier.");
        Meter.CreateObservableGauge("rediscaching.cache.l1.bytes", () => Each(static c => c.Memory.Bytes), "By", "Bytes held by the in-process (L1) tier.");
        Meter.CreateObservableCounter("rediscaching.cache.l1.evictions", () => Each(static c => c.Memory.Evictions), "{entry}", "Entries evicted from the in-process (L1) tier because a bound was reached.");
        Meter.CreateObservableGauge("rediscaching.cache.breaker.state", () => Each(static c => (long)c.CircuitState), "{state}", "State of the circuit breaker around Redis: 0 closed, 1 open, 2 half-open.");
    }

    public static void Register(RedisCache cache) => Caches.AddOrUpdate(cache, null);

    public static void Unregister(RedisCache cache) => Caches.Remove(cache);

    private static IEnumerable<Measurement<long>> Each(System.Func<RedisCache, long> read)
    {
        foreach (var (cache, _) in Caches)
        {
            yield return new Measurement<long>(read(cache), new KeyValuePair<string, object?>(RedisCachingTelemetry.CacheNameTag, cache.Name));
        }
    }

    private static IEnumerable<Measurement<long>> ObserveRequests()
    {
        foreach (var (cache, _) in Caches)
        {
            var counters = cache.Counters;
            yield return Request(counters.MemoryHits, cache.Name, "memory", "hit");
            yield return Request(counters.RedisHits, cache.Name, "redis", "hit");
            yield return Request(counters.Misses, cache.Name, "none", "miss");
            yield return Request(counters.StaleServed - counters.StaleFromRedis, cache.Name, "memory", "stale");
            yield return Request(counters.StaleFromRedis, cache.Name, "redis", "stale");
        }
    }

    private static Measurement<long> Request(long value, string name, string tier, string result) => new(
        value,
        new KeyValuePair<string, object?>(RedisCachingTelemetry.CacheNameTag, name),
        new KeyValuePair<string, object?>(RedisCachingTelemetry.TierTag, tier),
        new KeyValuePair<string, object?>(RedisCachingTelemetry.ResultTag, result));

    private static IEnumerable<Measurement<long>> ObserveInvalidations()
    {
        foreach (var (cache, _) in Caches)
        {
            yield return new Measurement<long>(
                cache.Memory.InvalidationsReceived,
                new KeyValuePair<string, object?>(RedisCachingTelemetry.CacheNameTag, cache.Name),
                new KeyValuePair<string, object?>(RedisCachingTelemetry.DirectionTag, "received"));
            yield return new Measurement<long>(
                cache.Memory.InvalidationsSent,
                new KeyValuePair<string, object?>(RedisCachingTelemetry.CacheNameTag, cache.Name),
                new KeyValuePair<string, object?>(RedisCachingTelemetry.DirectionTag, "sent"));
        }
    }

    /// <summary>
    /// The span of a memory hit, only when <see cref="MemoryHitSource"/> is listened to: a hit is ~100 ns and
    /// allocation-free, a span several times that and an Activity, so tracing every hit is an explicit choice
    /// (<c>AddRedisCachingInstrumentation(includeMemoryHits: true)</c>), not a side effect of tracing the cache.
    /// </summary>
    public static void MemoryHitSpan(string cacheName, string operationName)
    {
        if (!MemoryHitSource.HasListeners())
        {
            return;
        }

        using var activity = StartSpan(MemoryHitSource, operationName, cacheName);
        TagOutcome(activity, "memory", "hit");
    }

    /// <summary>
    /// Starts a span tagged with the cache's name. A span the sampler dropped is still an <see cref="Activity"/>
    /// (OpenTelemetry keeps one for propagation, measured at the same 576 B), but nothing will read its tags, so it gets
    /// none: <see cref="Activity.IsAllDataRequested"/> is the check OpenTelemetry asks instrumentation to make.
    /// </summary>
    public static Activity? StartSpan(ActivitySource source, string operationName, string cacheName)
    {
        var activity = source.StartActivity(operationName);
        if (activity is { IsAllDataRequested: true })
        {
            activity.AddTag(RedisCachingTelemetry.CacheNameTag, cacheName);
        }

        return activity;
    }

    /// <summary>Tags a recorded span with the tier that answered and the result (constant strings).</summary>
    public static void TagOutcome(Activity? activity, string tier, string result)
    {
        if (activity is { IsAllDataRequested: true })
        {
            activity.AddTag(RedisCachingTelemetry.TierTag, tier);
            activity.AddTag(RedisCachingTelemetry.ResultTag, result);
        }
    }

    /// <summary>Marks a span failed with the exception's type (a span the sampler dropped is left alone).</summary>
    public static void TagFailure(Activity? activity, Exception exception)
    {
        if (activity is { IsAllDataRequested: true })
        {
            activity.SetStatus(ActivityStatusCode.Error, exception.GetType().Name);
            activity.AddTag("error.type", exception.GetType().FullName);
        }
    }

    /// <summary>The tag value of a tier (constant strings: no allocation).</summary>
    public static string TierName(CacheTier tier) => tier switch
    {
        CacheTier.Memory => "memory",
        CacheTier.Redis => "redis",
        CacheTier.Factory => "factory",
        _ => "none",
    };
}
