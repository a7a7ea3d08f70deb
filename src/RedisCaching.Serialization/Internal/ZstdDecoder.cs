using System;
using System.Buffers;
using ZstdSharp.Unsafe;

namespace RedisCaching.Serialization.Internal;

/// <summary>
/// One native zstd decompression context, pooled like <see cref="ZstdEncoder"/>. Decompression is bounded: a frame
/// that declares its content size (every frame <see cref="ZstdEncoder"/> writes) is refused before anything is
/// allocated when that size is over the limit or over what its blocks can produce (<see cref="ZstdFrameBound"/>), and
/// is then decoded straight into the destination; a frame without it (a streaming writer's) is decoded in chunks that
/// never go past the limit.
/// </summary>
internal sealed unsafe class ZstdDecoder : IDisposable
{
    // Chunk size of the streaming path: zstd's block size, so each call makes progress.
    private const int StreamChunk = 128 * 1024;

    // The largest window zstd's own levels choose (level 19: window log 23).
    private const int MaxWindowBelowLimit = 8 * 1024 * 1024;

    private ZSTD_DCtx_s* _context;

    public ZstdDecoder(ZstdSharedDictionary? dictionary)
    {
        _context = Methods.ZSTD_createDCtx();
        if (_context == null)
        {
            throw new InvalidOperationException("zstd could not create a decompression context.");
        }

        if (dictionary is not null && Methods.ZSTD_isError(Methods.ZSTD_DCtx_refDDict(_context, dictionary.DecompressionDictionary)))
        {
            Free();
            throw new InvalidOperationException("zstd could not attach the dictionary to a decompression context.");
        }
    }

    ~ZstdDecoder() => Free();

    public DecompressionResult Decompress(ReadOnlySpan<byte> source, IBufferWriter<byte> destination, int maxLength, uint expectedDictionaryId)
    {
        ObjectDisposedException.ThrowIf(_context == null, this);
        fixed (byte* src = source)
        {
            ZSTD_frameHeader header;
            nuint headerResult = Methods.ZSTD_getFrameHeader(&header, src, (nuint)source.Length);
            // Non-zero: an error, or "needs more bytes" (a truncated header).
            if (headerResult != 0 || header.frameType != ZSTD_frameType_e.ZSTD_frame)
            {
                return DecompressionResult.Corrupt;
            }

            // A frame compressed with another dictionary (or with one when we have none, or none when we have one) would
            // decode to garbage or fail somewhere inside: reject it on its header.
            if (header.dictID != expectedDictionaryId)
            {
                return DecompressionResult.Corrupt;
            }

            if (header.frameContentSize != ulong.MaxValue)
            {
                if (header.frameContentSize > (ulong)maxLength)
                {
                    return DecompressionResult.TooLarge;
                }

                // The known-size path takes the declared size at once, so the claim is checked against what the frame's
                // blocks can produce first: a tiny frame that declares the limit is corrupt, not an allocation of it.
                if (!ZstdFrameBound.TryMaxContentSize(source, (int)header.headerSize, header.blockSizeMax, out var bound) || header.frameContentSize > bound)
                {
                    return DecompressionResult.Corrupt;
                }

                return DecompressKnownSize(src, source.Length, destination, (int)header.frameContentSize);
            }

            // Unknown content size: the streaming decoder allocates the frame's window (native memory, kept by the pooled
            // context). Streaming writers pick it from their level, not the content (zstd's levels use 1-8 MiB), so a window
            // up to 8 MiB is always accepted and a larger one only when the limit is larger too.
            if (header.windowSize > (ulong)Math.Max(maxLength, MaxWindowBelowLimit))
            {
                return DecompressionResult.TooLarge;
            }

            return DecompressStreaming(src, source.Length, destination, maxLength);
        }
    }

    public void Dispose()
    {
        Free();
        GC.SuppressFinalize(this);
    }

    private DecompressionResult DecompressKnownSize(byte* src, int sourceLength, IBufferWriter<byte> destination, int contentSize)
    {
        if (contentSize == 0)
        {
            // Nothing to write; still make zstd check the frame (and its checksum) with a 1-byte scratch.
            byte scratch;
            nuint empty = Methods.ZSTD_decompressDCtx(_context, &scratch, 0, src, (nuint)sourceLength);
            return Methods.ZSTD_isError(empty) || empty != 0 ? DecompressionResult.Corrupt : DecompressionResult.Done;
        }

        // The capacity is exactly the declared size: a second frame or a lying header fails with "destination too small"
        // instead of writing past it.
        Span<byte> target = destination.GetSpan(contentSize)[..contentSize];
        fixed (byte* dst = target)
        {
            nuint result = Methods.ZSTD_decompressDCtx(_context, dst, (nuint)contentSize, src, (nuint)sourceLength);
            if (Methods.ZSTD_isError(result) || result != (nuint)contentSize)
            {
                return DecompressionResult.Corrupt;
            }
        }

        destination.Advance(contentSize);
        return DecompressionResult.Done;
    }

    private DecompressionResult DecompressStreaming(byte* src, int sourceLength, IBufferWriter<byte> destination, int maxLength)
    {
        Methods.ZSTD_DCtx_reset(_context, ZSTD_ResetDirective.ZSTD_reset_session_only);
        var input = new ZSTD_inBuffer_s { src = src, size = (nuint)sourceLength, pos = 0 };
        int written = 0;
        while (true)
        {
            int room = maxLength - written;
            nuint result;
            nuint produced;
            nuint consumedBefore = input.pos;
            if (room > 0)
            {
                Span<byte> chunk = destination.GetSpan(Math.Min(room, StreamChunk));
                chunk = chunk[..Math.Min(chunk.Length, room)];
                fixed (byte* dst = chunk)
                {
                    var output = new ZSTD_outBuffer_s { dst = dst, size = (nuint)chunk.Length, pos = 0 };
                    result = Methods.ZSTD_decompressStream(_context, &output, &input);
                    produced = output.pos;
                }

                destination.Advance((int)produced);
                written += (int)produced;
            }
            else
            {
                // At the limit: one byte of scratch tells whether the frame has more to give (too large) or is done.
                byte probe;
                var output = new ZSTD_outBuffer_s { dst = &probe, size = 1, pos = 0 };
                result = Methods.ZSTD_decompressStream(_context, &output, &input);
                produced = output.pos;
                if (produced > 0)
                {
                    return DecompressionResult.TooLarge;
                }
            }

            if (Methods.ZSTD_isError(result))
            {
                return DecompressionResult.Corrupt;
            }

            if (result == 0)
            {
                // Frame complete; anything after it is not ours to read.
                return input.pos == input.size ? DecompressionResult.Done : DecompressionResult.Corrupt;
            }

            if (produced == 0 && input.pos == consumedBefore && input.pos == input.size)
            {
                // All input consumed, no progress, frame not finished: truncated.
                return DecompressionResult.Corrupt;
            }
        }
    }

    private void Free()
    {
        if (_context != null)
        {
            Methods.ZSTD_freeDCtx(_context);
            _context = null;
        }
    }
}
