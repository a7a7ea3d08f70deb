using System;
using ZstdSharp.Unsafe;

namespace RedisCaching.Serialization.Internal;

/// <summary>
/// One native zstd compression context, reused across operations through a <see cref="ContextPool{T}"/>: a context
/// keeps its match tables between frames, so reuse saves both the allocation and the table set-up.
/// </summary>
internal sealed unsafe class ZstdEncoder : IDisposable
{
    private ZSTD_CCtx_s* _context;

    public ZstdEncoder(int level, ZstdSharedDictionary? dictionary)
    {
        _context = Methods.ZSTD_createCCtx();
        if (_context == null)
        {
            throw new InvalidOperationException("zstd could not create a compression context.");
        }

        Check(Methods.ZSTD_CCtx_setParameter(_context, ZSTD_cParameter.ZSTD_c_compressionLevel, level));
        // A content checksum makes a damaged entry fail to decompress (a miss) instead of decoding to garbage.
        Check(Methods.ZSTD_CCtx_setParameter(_context, ZSTD_cParameter.ZSTD_c_checksumFlag, 1));
        if (dictionary is not null)
        {
            // The shared, pre-digested dictionary: referenced, not copied, so every pooled context uses one copy.
            Check(Methods.ZSTD_CCtx_refCDict(_context, dictionary.CompressionDictionary));
        }
    }

    ~ZstdEncoder() => Free();

    /// <summary>The largest frame <paramref name="sourceLength"/> bytes can produce.</summary>
    public static int Bound(int sourceLength) => checked((int)Methods.ZSTD_compressBound((nuint)sourceLength));

    /// <summary>Compresses <paramref name="source"/> into <paramref name="destination"/> as one frame that records
    /// its content size (single-shot compression always does), and returns the frame's length.</summary>
    public int Compress(ReadOnlySpan<byte> source, Span<byte> destination)
    {
        ObjectDisposedException.ThrowIf(_context == null, this);
        fixed (byte* src = source)
        fixed (byte* dst = destination)
        {
            nuint result = Methods.ZSTD_compress2(_context, dst, (nuint)destination.Length, src, (nuint)source.Length);
            Check(result);
            return (int)result;
        }
    }

    public void Dispose()
    {
        Free();
        GC.SuppressFinalize(this);
    }

    private void Free()
    {
        if (_context != null)
        {
            Methods.ZSTD_freeCCtx(_context);
            _context = null;
        }
    }

    // Compression only fails on a programming error (a destination smaller than the bound, a bad parameter).
    private static void Check(nuint result)
    {
        if (Methods.ZSTD_isError(result))
        {
            throw new InvalidOperationException($"zstd compression failed: {Methods.ZSTD_getErrorCode(result)}.");
        }
    }
}
