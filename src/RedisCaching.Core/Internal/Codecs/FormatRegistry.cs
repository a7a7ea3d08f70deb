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
    private readonly ConcurrentDictionary<(Type Type, string Name), object> _named = new();

    public static bool IsRawBytes<T>() =>
        typeof(T) == typeof(byte[]) || typeof(T) == typeof(ReadOnlySequence<byte>) || typeof(T) == typeof(PooledBytes);

    /// <param name="serializerName">The entry's serializer choice; null for the default.</param>
    /// <exception cref="NotSupportedException">The chosen format cannot serialize <typeparamref name="T"/>.</exception>
    public EntryFormat<T> Get<T>(string? serializerName)
    {
        if (serializerName is null)
        {
            // Every Redis read asks for this: the last answer per type is kept in a static, so the usual case (one
            // cache in the process, or one per type) skips the Type lookup and the dictionary. It keeps the last
            // registry per type alive after its cache is disposed: one small object per type, not a growing set.
            if (Volatile.Read(ref LastDefault<T>.Value) is { } last && ReferenceEquals(last.Owner, this))
            {
                return last.Format;
            }

            var format = _defaults.TryGetValue(typeof(T), out var known)
                ? (EntryFormat<T>)known
                : (EntryFormat<T>)_defaults.GetOrAdd(typeof(T), static (_, self) => self.Create<T>(null), this);
            Volatile.Write(ref LastDefault<T>.Value, new OwnedFormat<T>(this, format));
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
    private sealed record OwnedFormat<T>(FormatRegistry Owner, EntryFormat<T> Format);

    private static class LastDefault<T>
    {
        public static OwnedFormat<T>? Value;
    }
}
