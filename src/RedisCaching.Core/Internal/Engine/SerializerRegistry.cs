using System;
using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using RedisCaching.Serialization;

namespace RedisCaching.Internal.Engine;

/// <summary>
/// Finds the serializer for each value type once and keeps it. The JSON metadata comes from the configured
/// <see cref="JsonSerializerOptions"/> (<see cref="JsonSerializerOptions.Web"/> by default, or the app's
/// source-generated context), asked through <c>GetTypeInfo</c>, which is trim- and AOT-safe: where reflection is
/// off and no context knows the type, it fails with a message that says so.
/// </summary>
internal sealed class SerializerRegistry(JsonSerializerOptions jsonOptions)
{
    private readonly ConcurrentDictionary<Type, object> _serializers = new();

    public ICacheSerializer<T> Get<T>()
    {
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
            return new SystemTextJsonCacheSerializer<T>((JsonTypeInfo<T>)jsonOptions.GetTypeInfo(typeof(T)));
        }
        catch (Exception ex) when (ex is NotSupportedException or InvalidOperationException or InvalidCastException)
        {
            throw new NotSupportedException(
                $"RedisCaching cannot serialize {typeof(T)}: {ex.Message} Add the type to a JsonSerializerContext and set RedisCachingOptions.JsonSerializerOptions (AOT apps must).",
                ex);
        }
    }
}
