using System;
using System.Buffers;
using System.Collections.Concurrent;
using System.Threading;
using RedisCaching.Internal.Engine;
using RedisCaching.Internal.Envelope;

namespace RedisCaching.Internal.Codecs;

/// <summary>
/// Finds the <see cref="EntryFormat{T}"/> for each value type and serializer choice once and keeps it. Bytes
/// (<c>byte[]</c>, <c>ReadOnlySequence&lt;byte&gt;</c>) are always stored as they are (<see cref="RawBytesSerializer"/>);
/// a type with its own <see cref="CacheTypeOptions.Serializer"/> always uses it; every other type uses the entry's
/// choice, JSON when there is none.
/// </summary>
internal sealed class FormatRegistry(CodecSet codecs)
{
    private readonly ConcurrentDictionary<Type, object> _defaults = new();
    private static long s_lastId;

    private readonly ConcurrentDictionary<(Type Type, string Name), object> _named = new();

    /// <summary>Tells registries apart in <see cref="LastDefault{T}"/> without keeping one alive (its codecs hold the encryptor).</summary>
    private readonly long _id = Interlocked.Increment(ref s_lastId);

    public static bool IsRawBytes<T>() =>
        typeof(T) == typeof(byte[]) || typeof(T) == typeof(ReadOnlySequence<byte>) || typeof(T) == typeof(PooledBytes);

    /// <param name="serializerName">The entry's serializer choice; null for the default.</param>
    /// <exception cref="NotSupportedException">The chosen format cannot serialize <typeparamref name="T"/>.</exception>
    public EntryFormat<T> Get<T>(string? serializerName)
    {
        if (serializerName is null)
        {
            // Every Redis read asks for this: the first registry's answer per type is kept in a static, so the usual
            // case (one cache in the process) skips the Type lookup and the dictionary. First wins, for good: with two
            // caches reading one type, a last-wins slot would be rewritten (an allocation) on every alternation. It
            // keeps the format (serializer, compressor) alive, not the registry.
            if (Volatile.Read(ref LastDefault<T>.Value) is { } first && first.OwnerId == _id)
            {
                return first.Format;
            }

            var format = _defaults.TryGetValue(typeof(T), out var known)
                ? (EntryFormat<T>)known
                : (EntryFormat<T>)_defaults.GetOrAdd(typeof(T), static (_, self) => self.Create<T>(null), this);
            if (Volatile.Read(ref LastDefault<T>.Value) is null)
            {
                Interlocked.CompareExchange(ref LastDefault<T>.Value, new OwnedFormat<T>(_id, format), null);
            }

            return format;
        }

        return _named.TryGetValue((typeof(T), serializerName), out var named)
            ? (EntryFormat<T>)named
            : (EntryFormat<T>)_named.GetOrAdd((typeof(T), serializerName), static (key, self) => self.Create<T>(key.Name), this);
    }

    private EntryFormat<T> Create<T>(string? serializerName)
    {
        codecs.TypeOptions.TryGetValue(typeof(T), out var typeOptions);
        var typeCompressor = typeOptions?.Compression is { } codec ? codecs.Compressor(codec) : null;
        if (IsRawBytes<T>())
        {
            return new EntryFormat<T>((ICacheSerializer<T>)(object)RawBytesSerializer.Instance, SerializerIds.RawBytes, typeOptions, typeCompressor);
        }

        var provider = codecs.Serializer(typeOptions?.Serializer ?? serializerName ?? JsonSerializerProvider.FormatName);
        return new EntryFormat<T>(provider.GetSerializer<T>(), provider.Id, typeOptions, typeCompressor);
    }

    /// <summary>A registry's default format for one type (one object, so a reader never sees a torn pair).</summary>
    private sealed record OwnedFormat<T>(long OwnerId, EntryFormat<T> Format);

    private static class LastDefault<T>
    {
        public static OwnedFormat<T>? Value;
    }
}
