using System;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace RedisCaching.Benchmarks.Peers;

/// <summary>Settings every peer gets the same, so only the caches differ.</summary>
internal static class PeerDefaults
{
    /// <summary>Entry lifetime in both tiers: longer than any run, so nothing expires mid-measurement and a stale
    /// L1 entry is not hidden by a short TTL.</summary>
    public static readonly TimeSpan Duration = TimeSpan.FromMinutes(10);

    /// <summary>System.Text.Json with source-generated metadata: the raw baseline and FusionCache use it (HybridCache
    /// uses its own default, System.Text.Json too, and writes strings as raw UTF-8).</summary>
    public static readonly JsonSerializerOptions Json = new() { TypeInfoResolver = BenchJsonContext.Default };

    /// <summary>The same for FusionCache, which serializes its own envelope type around the value: source-generated
    /// metadata for the values, reflection for the envelope.</summary>
    public static readonly JsonSerializerOptions JsonWithReflectionFallback = new()
    {
        TypeInfoResolver = JsonTypeInfoResolver.Combine(BenchJsonContext.Default, new DefaultJsonTypeInfoResolver()),
    };

    public static JsonTypeInfo<T> TypeInfo<T>() => JsonTypeInfoCache<T>.Value;

    private static class JsonTypeInfoCache<T>
    {
        public static readonly JsonTypeInfo<T> Value = (JsonTypeInfo<T>)Json.GetTypeInfo(typeof(T));
    }
}
