using System;
using System.Buffers;
using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using RedisCaching.Internal.Envelope;
using RedisCaching.Serialization;

namespace RedisCaching.Internal.Engine;

/// <summary>
/// Finds the serializer for each value type once and keeps it: raw bytes for <c>byte[]</c> and
/// <c>ReadOnlySequence&lt;byte&gt;</c> (see <see cref="RawBytesSerializer"/>), JSON for the rest. The JSON metadata comes from the configured
/// <see cref="JsonSerializerOptions"/> (<see cref="JsonSerializerOptions.Web"/> by default, or the app's
/// source-generated context), asked through <c>GetTypeInfo</c>, which is trim- and AOT-safe: where reflection is
/// off and no context knows the type, it fails with a message that says so.
/// </summary>
internal sealed class SerializerRegistry(JsonSerializerOptions jsonOptions)
{
    private readonly ConcurrentDictionary<Type, object> _serializers = new();
    private readonly JsonSerializerOptions _jsonOptions = WithResolver(jsonOptions);

    /// <summary>Options without a resolver get the reflection one, but only where the app allows reflection.</summary>
    private static JsonSerializerOptions WithResolver(JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.TypeInfoResolver is not null || !JsonSerializer.IsReflectionEnabledByDefault)
        {
            return options;
        }

        return new JsonSerializerOptions(options) { TypeInfoResolver = CreateReflectionResolver() };
    }

    // JsonSerializer.IsReflectionEnabledByDefault is a feature switch: trimmed and AOT apps turn it off and the
    // trimmer removes this call with the branch, so the warning cannot apply to them. They must pass a context.
    [UnconditionalSuppressMessage("Trimming", "IL2026", Justification = "Reached only when reflection-based JSON is enabled (feature switch).")]
    [UnconditionalSuppressMessage("AOT", "IL3050", Justification = "Reached only when reflection-based JSON is enabled (feature switch).")]
    private static DefaultJsonTypeInfoResolver CreateReflectionResolver() => new();

    /// <summary>
    /// The serializer id recorded in the envelope for values of <typeparamref name="T"/>: bytes are stored as they are,
    /// everything else as JSON. Reads check it, so a JSON entry is never mistaken for raw bytes or the other way round.
    /// </summary>
    public static byte IdOf<T>() =>
        typeof(T) == typeof(byte[]) || typeof(T) == typeof(ReadOnlySequence<byte>) || typeof(T) == typeof(PooledBytes)
            ? SerializerIds.RawBytes
            : SerializerIds.SystemTextJson;

    public ICacheSerializer<T> Get<T>()
    {
        if (IdOf<T>() == SerializerIds.RawBytes)
        {
            return (ICacheSerializer<T>)(object)RawBytesSerializer.Instance;
        }

        if (_serializers.TryGetValue(typeof(T), out var existing))
        {
            return (ICacheSerializer<T>)existing;
        }

        return (ICacheSerializer<T>)_serializers.GetOrAdd(typeof(T), _ => Create<T>());
    }

    private SystemTextJsonCacheSerializer<T> Create<T>()
    {
        try
        {
            return new SystemTextJsonCacheSerializer<T>((JsonTypeInfo<T>)_jsonOptions.GetTypeInfo(typeof(T)));
        }
        catch (Exception ex) when (ex is NotSupportedException or InvalidOperationException or InvalidCastException)
        {
            throw new NotSupportedException(
                $"RedisCaching cannot serialize {typeof(T)}: {ex.Message} Add the type to a JsonSerializerContext and set RedisCachingOptions.JsonSerializerOptions (AOT apps must).",
                ex);
        }
    }
}
