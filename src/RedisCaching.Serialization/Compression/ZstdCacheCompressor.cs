using System;
using System.Buffers;
using RedisCaching.Serialization.Internal;

namespace RedisCaching.Serialization;

/// <summary>
/// zstd compression (through ZstdSharp.Port, a managed port of the reference library): standard zstd frames with the
/// content size and a content checksum, readable by the <c>zstd</c> tool and every other implementation (a frame
/// compressed with a dictionary needs that dictionary there too). Native contexts are pooled, so after warm-up
/// compressing and decompressing allocate nothing on the managed heap. Thread-safe.
/// </summary>
public sealed class ZstdCacheCompressor : ICacheCompressor, IDisposable
{
    /// <summary>The id recorded in every entry this codec compressed.</summary>
    public const byte CodecId = 4;

    /// <summary>The name profiles use to choose this codec (<c>Compression = zstd</c>).</summary>
    public const string CodecName = "zstd";

    private readonly int _level;
    private readonly ZstdSharedDictionary? _dictionary;
    private readonly ContextPool<ZstdEncoder> _encoders = new(ContextPool<ZstdEncoder>.DefaultCapacity);
    private readonly ContextPool<ZstdDecoder> _decoders = new(ContextPool<ZstdDecoder>.DefaultCapacity);

    /// <summary>Creates a compressor with the default settings (level 3, no dictionary).</summary>
    public ZstdCacheCompressor()
        : this(new ZstdCompressionOptions())
    {
    }

    /// <summary>Creates a compressor with the given settings.</summary>
    /// <param name="options">The settings; validated here.</param>
    /// <exception cref="ArgumentOutOfRangeException">The level is out of range.</exception>
    /// <exception cref="ArgumentException">The dictionary is not a zstd dictionary with an id.</exception>
    public ZstdCacheCompressor(ZstdCompressionOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _level = options.Level;
        if (options.Dictionary is { } dictionary)
        {
            _dictionary = new ZstdSharedDictionary(dictionary.Span, _level);
        }
    }

    /// <inheritdoc/>
    public byte Id => CodecId;

    /// <inheritdoc/>
    public string Name => CodecName;

    /// <summary>The id of the dictionary in use (recorded in every frame), or 0 without one.</summary>
    public uint DictionaryId => _dictionary?.Id ?? 0;

    /// <inheritdoc/>
    public void Compress(ReadOnlySpan<byte> source, IBufferWriter<byte> destination)
    {
        ArgumentNullException.ThrowIfNull(destination);
        ZstdEncoder encoder = _encoders.TryRent() ?? new ZstdEncoder(_level, _dictionary);
        try
        {
            Span<byte> target = destination.GetSpan(ZstdEncoder.Bound(source.Length));
            destination.Advance(encoder.Compress(source, target));
        }
        finally
        {
            _encoders.Return(encoder);
        }
    }

    /// <inheritdoc/>
    public DecompressionResult Decompress(ReadOnlySpan<byte> source, IBufferWriter<byte> destination, int maxDecompressedLength)
    {
        ArgumentNullException.ThrowIfNull(destination);
        ArgumentOutOfRangeException.ThrowIfNegative(maxDecompressedLength);
        ZstdDecoder decoder = _decoders.TryRent() ?? new ZstdDecoder(_dictionary);
        try
        {
            return decoder.Decompress(source, destination, maxDecompressedLength, DictionaryId);
        }
        finally
        {
            _decoders.Return(decoder);
        }
    }

    /// <summary>Frees the pooled native contexts and the dictionary. Call it only once no operation is running.</summary>
    public void Dispose()
    {
        _encoders.Dispose();
        _decoders.Dispose();
        _dictionary?.Dispose();
    }
}
