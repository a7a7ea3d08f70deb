using System;
using System.Buffers;

namespace RedisCaching.Serialization.Tests.Support;

/// <summary>A buffer writer that records the largest size a codec asked for (what it would make the cache allocate).</summary>
public sealed class RecordingWriter : IBufferWriter<byte>
{
    private readonly ArrayBufferWriter<byte> _inner = new();

    public long LargestRequest { get; private set; }

    public ReadOnlySpan<byte> WrittenSpan => _inner.WrittenSpan;

    public void Advance(int count) => _inner.Advance(count);

    public Memory<byte> GetMemory(int sizeHint = 0)
    {
        LargestRequest = Math.Max(LargestRequest, sizeHint);
        return _inner.GetMemory(sizeHint);
    }

    public Span<byte> GetSpan(int sizeHint = 0)
    {
        LargestRequest = Math.Max(LargestRequest, sizeHint);
        return _inner.GetSpan(sizeHint);
    }
}
