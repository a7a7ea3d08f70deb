using System;
using System.Buffers;
using Microsoft.Extensions.Caching.Hybrid;

namespace RedisCaching.Internal.Codecs;

/// <summary>
/// A format made of serializers written for Microsoft's HybridCache: one <see cref="IHybridCacheSerializer{T}"/> for
/// one type, or an <see cref="IHybridCacheSerializerFactory"/> for the types it accepts. They already speak
/// <see cref="IBufferWriter{T}"/> and <see cref="ReadOnlySequence{T}"/>, so each call passes straight through.
/// </summary>
internal sealed class HybridSerializerProvider(byte id, string name, Type? onlyType, object serializerOrFactory) : ICacheSerializerProvider
{
    public byte Id => id;

    public string Name => name;

    public ICacheSerializer<T> GetSerializer<T>()
    {
        if (onlyType is null && serializerOrFactory is IHybridCacheSerializerFactory factory)
        {
            return factory.TryCreateSerializer<T>(out var created)
                ? new Adapter<T>(created)
                : throw new NotSupportedException($"The HybridCache serializer factory behind the '{name}' format ({factory.GetType().Name}) does not serialize {typeof(T)}.");
        }

        return serializerOrFactory is IHybridCacheSerializer<T> typed
            ? new Adapter<T>(typed)
            : throw new NotSupportedException($"The '{name}' format holds a HybridCache serializer for {onlyType} only, not {typeof(T)}.");
    }

    private sealed class Adapter<T>(IHybridCacheSerializer<T> inner) : ICacheSerializer<T>
    {
        public void Serialize(T value, IBufferWriter<byte> target) => inner.Serialize(value, target);

        public T Deserialize(ReadOnlySequence<byte> source) => inner.Deserialize(source);
    }
}
