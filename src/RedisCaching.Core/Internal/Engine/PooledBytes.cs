using System;
using System.Buffers;

namespace RedisCaching.Internal.Engine;

/// <summary>
/// A payload copied into <see cref="ArrayPool{T}"/> memory, for readers that copy it on into their own buffer
/// (<c>IBufferDistributedCache.TryGet</c>) and so need no <c>byte[]</c> of their own. The receiver copies it out once
/// and calls <see cref="Return"/> once; a copy that is never returned is only garbage, never a leak.
/// </summary>
internal readonly struct PooledBytes
{
    private readonly byte[]? _array;

    private PooledBytes(byte[] array, int length)
    {
        _array = array;
        Length = length;
    }

    public int Length { get; }

    public ReadOnlySpan<byte> Span => _array is null ? default : _array.AsSpan(0, Length);

    public static PooledBytes CopyFrom(ReadOnlySequence<byte> source)
    {
        var length = checked((int)source.Length);
        if (length == 0)
        {
            return default;
        }

        var array = ArrayPool<byte>.Shared.Rent(length);
        source.CopyTo(array);
        return new PooledBytes(array, length);
    }

    public void Return()
    {
        if (_array is not null)
        {
            ArrayPool<byte>.Shared.Return(_array);
        }
    }
}
