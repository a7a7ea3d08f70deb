using System;
using System.Buffers;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using RedisCaching.Internal.Codecs;

namespace RedisCaching.Serialization;

/// <summary>
/// The default serializer: System.Text.Json, UTF-8 straight into the pooled buffer and read from the sequence.
/// Built from a <see cref="JsonTypeInfo{T}"/>, so apps that publish with AOT pass a source-generated
/// <c>JsonSerializerContext</c> and stay warning-free. The writer and reader settings of the type info's
/// <see cref="JsonSerializerOptions"/> apply (encoder, indentation, new line, maximum depth, comments, trailing
/// commas), as they do for <see cref="JsonSerializer"/>'s stream and string overloads.
/// </summary>
/// <typeparam name="T">The value type.</typeparam>
public sealed class SystemTextJsonCacheSerializer<T> : ICacheSerializer<T>
{
    private readonly JsonTypeInfo<T> _typeInfo;
    private readonly JsonWriterOptions _writerOptions;
    private readonly JsonReaderOptions _readerOptions;

    /// <summary>Creates a serializer for the given type metadata.</summary>
    /// <param name="typeInfo">The metadata, e.g. from a source-generated context.</param>
    public SystemTextJsonCacheSerializer(JsonTypeInfo<T> typeInfo)
    {
        ArgumentNullException.ThrowIfNull(typeInfo);
        _typeInfo = typeInfo;
        _writerOptions = JsonOptionsMapping.WriterOptions(typeInfo.Options);
        _readerOptions = JsonOptionsMapping.ReaderOptions(typeInfo.Options);
    }

    /// <summary>
    /// One writer per thread, reset onto each target: a Utf8JsonWriter per value would be the only allocation left on
    /// the serialize path. A writer's options are fixed when it is made, so one made for other options (another
    /// cache's) is replaced. Taken out while in use, so a serializer that runs inside another (a converter caching
    /// something) gets its own.
    /// </summary>
    [ThreadStatic]
    private static Utf8JsonWriter? t_writer;

    /// <inheritdoc/>
    public void Serialize(T value, IBufferWriter<byte> target)
    {
        var writer = t_writer;
        t_writer = null;
        if (writer is null || !JsonOptionsMapping.Same(writer.Options, _writerOptions))
        {
            writer = new Utf8JsonWriter(target, _writerOptions);
        }
        else
        {
            writer.Reset(target);
        }

        try
        {
            JsonSerializer.Serialize(writer, value, _typeInfo);
        }
        finally
        {
            // Forget the target (the pooled buffer goes back to its pool) and keep the writer for the next value.
            writer.Reset();
            t_writer = writer;
        }
    }

    /// <inheritdoc/>
    public T Deserialize(ReadOnlySequence<byte> source)
    {
        // One segment (every Redis read and memory copy): the span overload parses the value once. The reader
        // overload below first skips through the whole value to scope the reader to it, then parses it: twice the
        // work (+50 % of the deserialization in the L2-hit profile, benchmarks/README.md 2026-11-27). Both apply the
        // same reader settings; the span overload also refuses bytes after the value (an unreadable entry).
        if (source.IsSingleSegment)
        {
            return JsonSerializer.Deserialize(source.FirstSpan, _typeInfo)!;
        }

        var reader = new Utf8JsonReader(source, _readerOptions);
        return JsonSerializer.Deserialize(ref reader, _typeInfo)!;
    }
}
