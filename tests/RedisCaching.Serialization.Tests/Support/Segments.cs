using System;
using System.Buffers;

namespace RedisCaching.Serialization.Tests.Support;

/// <summary>Builds multi-segment sequences, as a socket read or a pipe hands them over.</summary>
public static class Segments
{
    public static ReadOnlySequence<byte> Split(ReadOnlyMemory<byte> data, int parts)
    {
        int size = Math.Max(1, data.Length / parts);
        Segment first = new(data[..Math.Min(size, data.Length)], 0);
        Segment last = first;
        for (int offset = size; offset < data.Length; offset += size)
        {
            last = last.Append(data.Slice(offset, Math.Min(size, data.Length - offset)));
        }

        return new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length);
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory, long runningIndex)
        {
            Memory = memory;
            RunningIndex = runningIndex;
        }

        public Segment Append(ReadOnlyMemory<byte> memory)
        {
            var next = new Segment(memory, RunningIndex + Memory.Length);
            Next = next;
            return next;
        }
    }
}
