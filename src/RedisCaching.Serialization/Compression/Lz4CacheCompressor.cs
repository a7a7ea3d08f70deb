using System;
using System.Buffers;
using K4os.Compression.LZ4;
using RedisCaching.Serialization.Internal;

namespace RedisCaching.Serialization;

/// <summary>
/// LZ4 compression (through K4os.Compression.LZ4's block codec) in the standard LZ4 frame format, with the content
/// size and a content checksum: the <c>lz4</c> tool and every LZ4 frame implementation read it. LZ4 trades ratio
/// for speed; choose it where CPU matters more than Redis memory. Thread-safe; after warm-up compressing and
/// decompressing allocate nothing on the managed heap.
/// </summary>
public sealed class Lz4CacheCompressor : ICacheCompressor, IDisposable
{
    /// <summary>The id recorded in every entry this codec compressed.</summary>
    public const byte CodecId = 5;

    /// <summary>The name profiles use to choose this codec (<c>Compression = lz4</c>).</summary>
    public const string CodecName = "lz4";

    private readonly LZ4Level _level;
    private readonly ContextPool<Lz4FrameDecoder> _decoders = new(ContextPool<Lz4FrameDecoder>.DefaultCapacity);

    /// <summary>Creates a compressor with the default settings (fast mode).</summary>
    public Lz4CacheCompressor()
        : this(new Lz4CompressionOptions())
    {
    }

    /// <summary>Creates a compressor with the given settings.</summary>
    /// <param name="options">The settings; validated here.</param>
    /// <exception cref="ArgumentOutOfRangeException">The level is out of range.</exception>
    public Lz4CacheCompressor(Lz4CompressionOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _level = (LZ4Level)options.Level;
    }

    /// <inheritdoc/>
    public byte Id => CodecId;

    /// <inheritdoc/>
    public string Name => CodecName;

    /// <inheritdoc/>
    public void Compress(ReadOnlySpan<byte> source, IBufferWriter<byte> destination)
    {
        ArgumentNullException.ThrowIfNull(destination);
        Lz4Frame.Encode(source, destination, _level);
    }

    /// <inheritdoc/>
    public DecompressionResult Decompress(ReadOnlySpan<byte> source, IBufferWriter<byte> destination, int maxDecompressedLength)
    {
        ArgumentNullException.ThrowIfNull(destination);
        ArgumentOutOfRangeException.ThrowIfNegative(maxDecompressedLength);
        Lz4FrameDecoder decoder = _decoders.TryRent() ?? new Lz4FrameDecoder();
        try
        {
            return decoder.Decompress(source, destination, maxDecompressedLength);
        }
        finally
        {
            _decoders.Return(decoder);
        }
    }

    /// <summary>Drops the pooled decoders (managed buffers only). Call it only once no operation is running.</summary>
    public void Dispose() => _decoders.Dispose();
}
