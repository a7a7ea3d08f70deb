using System;
using System.Buffers;
using System.Numerics;

namespace RedisCaching.Internal.Envelope;

/// <summary>
/// An <see cref="IBufferWriter{T}"/> over <see cref="ArrayPool{T}"/> memory, so building an entry allocates no
/// <c>byte[]</c> of its own. Dispose only after Redis has the bytes (after the write's task completed).
/// </summary>
internal sealed class PooledBufferWriter : IBufferWriter<byte>, IDisposable
{
    private const int MinimumSize = 256;
    private readonly long _growthLimit;
    private byte[] _buffer;
    private bool _pooled;
    private int _written;

    /// <param name="initialSize">The capacity to start with.</param>
    /// <param name="growthLimit">
    /// The most this writer grows to on its own (it still grows as far as a single request needs). Doubling, and the
    /// pool's rounding up to a power of two, would otherwise take up to twice what the owner allows, e.g. a
    /// decompression bomb that passes <c>MaxDecompressedBytes</c> by one byte.
    /// </param>
    public PooledBufferWriter(int initialSize = MinimumSize, long growthLimit = long.MaxValue)
    {
        _growthLimit = Math.Max(growthLimit, 1);
        _buffer = Allocate(Math.Min(Math.Max(initialSize, MinimumSize), _growthLimit), out _pooled);
    }

    /// <summary>
    /// The destination of one decompression: it starts from a guess made from the frame's length and never grows past
    /// the limit plus the one byte codecs ask for to notice a frame that goes beyond it, so a bomb costs at most the
    /// limit, not the doubling past it.
    /// </summary>
    public static PooledBufferWriter ForDecompression(int frameLength, int maxDecompressedBytes) =>
        new((int)Math.Min(frameLength * 4L, maxDecompressedBytes), growthLimit: maxDecompressedBytes + 1L);

    public ReadOnlyMemory<byte> WrittenMemory => _buffer.AsMemory(0, _written);

    public int WrittenCount => _written;

    /// <summary>The bytes written so far, writable (to patch a header field decided after it was written).</summary>
    public Span<byte> WrittenSpan => _buffer.AsSpan(0, _written);

    /// <summary>The capacity held now (tests check that a bounded writer stays within its limit).</summary>
    internal int Capacity => _buffer.Length;

    public void Advance(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        if (_written + count > _buffer.Length)
        {
            throw new InvalidOperationException("Advanced past the end of the buffer.");
        }

        _written += count;
    }

    /// <summary>Forgets what was written and keeps the memory (a write that starts over).</summary>
    public void Clear() => _written = 0;

    public Memory<byte> GetMemory(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return _buffer.AsMemory(_written);
    }

    public Span<byte> GetSpan(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return _buffer.AsSpan(_written);
    }

    /// <summary>
    /// Hands the written bytes to the caller, who returns <paramref name="array"/> to <see cref="ArrayPool{T}.Shared"/>
    /// once nothing reads them any more; this writer is left empty (<see cref="Reset"/> makes it usable again).
    /// </summary>
    public void Detach(out byte[] array, out int length)
    {
        if (!_pooled)
        {
            // Only a writer with a growth limit allocates unpooled arrays, and entries (the only detached writers) have none.
            throw new InvalidOperationException("Only pooled memory can be detached.");
        }

        array = _buffer;
        length = _written;
        _buffer = [];
        _pooled = false;
        _written = 0;
    }

    /// <summary>Rents fresh memory for an empty writer (detached or disposed), so the writer object itself is reused.</summary>
    public void Reset(int initialSize)
    {
        Dispose();
        _buffer = Allocate(Math.Min(Math.Max(initialSize, MinimumSize), _growthLimit), out _pooled);
    }

    public void Dispose()
    {
        var buffer = _buffer;
        var pooled = _pooled;
        _buffer = [];
        _pooled = false;
        _written = 0;
        if (pooled)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private void Ensure(int sizeHint)
    {
        var needed = Math.Max(sizeHint, 1);
        if (_buffer.Length - _written >= needed)
        {
            return;
        }

        var required = (long)_written + needed;
        var size = Math.Max(_buffer.Length * 2L, required);
        if (size > _growthLimit)
        {
            size = Math.Max(_growthLimit, required);
        }

        var grown = Allocate(size, out var pooled);
        _buffer.AsSpan(0, _written).CopyTo(grown);
        if (_pooled)
        {
            ArrayPool<byte>.Shared.Return(_buffer);
        }

        _buffer = grown;
        _pooled = pooled;
    }

    /// <summary>
    /// A pooled array, unless the pool's rounding up to a power of two would pass the growth limit: then an array of
    /// exactly <paramref name="size"/> bytes, which is garbage once disposed (the pool accepts only its own sizes back).
    /// </summary>
    private byte[] Allocate(long size, out bool pooled)
    {
        if (size > Array.MaxLength)
        {
            throw new InvalidOperationException($"A buffer of {size} bytes is more than an array can hold.");
        }

        pooled = BitOperations.RoundUpToPowerOf2((ulong)size) <= (ulong)_growthLimit;
        return pooled ? ArrayPool<byte>.Shared.Rent((int)size) : GC.AllocateUninitializedArray<byte>((int)size);
    }
}
