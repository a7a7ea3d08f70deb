using System;
using System.Buffers;
using MessagePack;
using MessagePack.Formatters;

namespace RedisCaching.Serialization.Internal;

/// <summary>
/// One value type's MessagePack serializer: the formatter is looked up once, then every call writes straight into the
/// caller's buffer writer and reads straight from the sequence, with no intermediate array.
/// </summary>
internal sealed class MessagePackCacheSerializer<T> : ICacheSerializer<T>
{
    private readonly IMessagePackFormatter<T> _formatter;
    private readonly MessagePackSerializerOptions _options;

    public MessagePackCacheSerializer(IMessagePackFormatter<T> formatter, MessagePackSerializerOptions options)
    {
        _formatter = formatter;
        _options = options;
    }

    public void Serialize(T value, IBufferWriter<byte> target)
    {
        var writer = new MessagePackWriter(target);
        _formatter.Serialize(ref writer, value, _options);
        writer.Flush();
    }

    public T Deserialize(ReadOnlySequence<byte> source)
    {
        var reader = new MessagePackReader(source);
        T value;
        try
        {
            value = _formatter.Deserialize(ref reader, _options);
        }
        catch (Exception e) when (e is not MessagePackSerializationException)
        {
            // Truncated input surfaces as EndOfStreamException, depth as InsufficientExecutionStackException: one type for callers.
            throw new MessagePackSerializationException($"Failed to deserialize a {typeof(T)} value from MessagePack: {e.Message}", e);
        }

        if (!reader.End)
        {
            // One value per entry: bytes after it mean the payload is not what this serializer wrote.
            throw new MessagePackSerializationException($"The MessagePack payload has {reader.Sequence.Length - reader.Consumed} byte(s) after the {typeof(T)} value.");
        }

        return value;
    }
}
