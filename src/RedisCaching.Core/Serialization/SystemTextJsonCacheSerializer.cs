using System;
using System.Buffers;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace RedisCaching.Serialization;

/// <summary>
/// The default serializer: System.Text.Json, UTF-8 straight into the pooled buffer and read from the sequence.
/// Built from a <see cref="JsonTypeInfo{T}"/>, so apps that publish with AOT pass a source-generated
/// <c>JsonSerializerContext</c> and stay warning-free.
/// </summary>
/// <typeparam name="T">The value type.</typeparam>
public sealed class SystemTextJsonCacheSerializer<T> : ICacheSerializer<T>
{
    private readonly JsonTypeInfo<T> _typeInfo;

    /// <summary>Creates a serializer for the given type metadata.</summary>
    /// <param name="typeInfo">The metadata, e.g. from a source-generated context.</param>
    public SystemTextJsonCacheSerializer(JsonTypeInfo<T> typeInfo)
    {
        ArgumentNullException.ThrowIfNull(typeInfo);
        _typeInfo = typeInfo;
    }

    /// <inheritdoc/>
    public void Serialize(T value, IBufferWriter<byte> target)
    {
        using var writer = new Utf8JsonWriter(target);
        JsonSerializer.Serialize(writer, value, _typeInfo);
    }

    /// <inheritdoc/>
    public T Deserialize(ReadOnlySequence<byte> source)
    {
        var reader = new Utf8JsonReader(source);
        return JsonSerializer.Deserialize(ref reader, _typeInfo)!;
    }
}
