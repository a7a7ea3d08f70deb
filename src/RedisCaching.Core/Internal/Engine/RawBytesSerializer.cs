using System;
using System.Buffers;

namespace RedisCaching.Internal.Engine;

/// <summary>
/// Stores bytes as they are (envelope serializer id <see cref="Envelope.SerializerIds.RawBytes"/>): System.Text.Json
/// would turn a <c>byte[]</c> into a base64 string a third larger, and other programs reading the entry would have to
/// undo that. Every raw type reads what any other raw type wrote.
/// </summary>
internal sealed class RawBytesSerializer : ICacheSerializer<byte[]>, ICacheSerializer<ReadOnlySequence<byte>>, ICacheSerializer<PooledBytes>
{
    public static RawBytesSerializer Instance { get; } = new();

    private RawBytesSerializer()
    {
    }

    public void Serialize(byte[] value, IBufferWriter<byte> target)
    {
        // Raw bytes have no way to say null apart from empty; refusing is better than reading back something else.
        if (value is null)
        {
            throw new NotSupportedException("A null byte[] cannot be cached: RedisCaching stores byte arrays as they are (cache an empty array instead).");
        }

        target.Write(value);
    }

    public void Serialize(ReadOnlySequence<byte> value, IBufferWriter<byte> target)
    {
        foreach (var segment in value)
        {
            target.Write(segment.Span);
        }
    }

    public void Serialize(PooledBytes value, IBufferWriter<byte> target) => target.Write(value.Span);

    // The source may be a Redis lease that is returned after decoding, so every read copies out of it.
    public byte[] Deserialize(ReadOnlySequence<byte> source) => source.ToArray();

    ReadOnlySequence<byte> ICacheSerializer<ReadOnlySequence<byte>>.Deserialize(ReadOnlySequence<byte> source) => new(source.ToArray());

    PooledBytes ICacheSerializer<PooledBytes>.Deserialize(ReadOnlySequence<byte> source) => PooledBytes.CopyFrom(source);
}
