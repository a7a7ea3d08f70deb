using System;
using System.Buffers;
using System.Buffers.Binary;
using System.IO.Hashing;
using K4os.Compression.LZ4;

namespace RedisCaching.Serialization.Internal;

/// <summary>
/// Reads one standard LZ4 frame (any block size, independent or linked blocks, with or without content size and
/// checksums; no dictionary id), never writing more than the limit: a declared content size over the limit is
/// refused before decoding, and otherwise each block is decoded into at most the room left. Pooled, because it keeps
/// a 64 KiB history buffer for linked blocks and an incremental hash.
/// </summary>
internal sealed class Lz4FrameDecoder : IDisposable
{
    private const int HistorySize = 64 * 1024;
    private const uint UncompressedBit = 0x8000_0000;

    private readonly XxHash32 _contentHash = new();
    private readonly byte[] _history = new byte[HistorySize];
    private int _historyLength;

    public DecompressionResult Decompress(ReadOnlySpan<byte> source, IBufferWriter<byte> destination, int maxLength)
    {
        if (!TryReadHeader(source, out FrameHeader header))
        {
            return DecompressionResult.Corrupt;
        }

        if (header.HasContentSize && header.ContentSize > (ulong)maxLength)
        {
            return DecompressionResult.TooLarge;
        }

        _contentHash.Reset();
        _historyLength = 0;
        ReadOnlySpan<byte> rest = source[header.Length..];
        long written = 0;
        while (true)
        {
            if (rest.Length < 4)
            {
                return DecompressionResult.Corrupt;
            }

            uint word = BinaryPrimitives.ReadUInt32LittleEndian(rest);
            rest = rest[4..];
            if (word == 0)
            {
                break;
            }

            int length = (int)(word & ~UncompressedBit);
            int needed = length + (header.BlockChecksum ? 4 : 0);
            if (length > header.BlockMaxSize || rest.Length < needed)
            {
                return DecompressionResult.Corrupt;
            }

            ReadOnlySpan<byte> data = rest[..length];
            if (header.BlockChecksum && XxHash32.HashToUInt32(data) != BinaryPrimitives.ReadUInt32LittleEndian(rest[length..]))
            {
                return DecompressionResult.Corrupt;
            }

            rest = rest[needed..];
            int room = (int)(maxLength - written);
            DecompressionResult block = (word & UncompressedBit) != 0
                ? CopyBlock(data, destination, room, header.Linked, out int produced)
                : DecodeBlock(data, destination, room, header, out produced);
            if (block != DecompressionResult.Done)
            {
                return block;
            }

            written += produced;
        }

        if (header.ContentChecksum)
        {
            if (rest.Length < 4 || BinaryPrimitives.ReadUInt32LittleEndian(rest) != _contentHash.GetCurrentHashAsUInt32())
            {
                return DecompressionResult.Corrupt;
            }

            rest = rest[4..];
        }

        bool sizeMatches = !header.HasContentSize || header.ContentSize == (ulong)written;
        return rest.IsEmpty && sizeMatches ? DecompressionResult.Done : DecompressionResult.Corrupt;
    }

    public void Dispose()
    {
        // Managed buffers only; IDisposable so the pool can treat every context alike.
    }

    private DecompressionResult CopyBlock(ReadOnlySpan<byte> data, IBufferWriter<byte> destination, int room, bool linked, out int produced)
    {
        produced = data.Length;
        if (data.Length > room)
        {
            return DecompressionResult.TooLarge;
        }

        Span<byte> target = destination.GetSpan(data.Length)[..data.Length];
        data.CopyTo(target);
        Commit(target, destination, linked);
        return DecompressionResult.Done;
    }

    private DecompressionResult DecodeBlock(ReadOnlySpan<byte> data, IBufferWriter<byte> destination, int room, in FrameHeader header, out int produced)
    {
        produced = 0;
        if (room == 0)
        {
            // A compressed block always yields at least one byte.
            return DecompressionResult.TooLarge;
        }

        int capacity = Math.Min(header.BlockMaxSize, room);
        Span<byte> target = destination.GetSpan(capacity)[..capacity];
        int decoded = header.Linked
            ? LZ4Codec.Decode(data, target, _history.AsSpan(0, _historyLength))
            : LZ4Codec.Decode(data, target);
        if (decoded < 0)
        {
            // With the full block size as room a failure is corruption. With less, the block may just be bigger than the
            // room: an independent block that fills all of it when decoding stops at the end is too large.
            bool filledRoom = capacity < header.BlockMaxSize && !header.Linked && LZ4Codec.PartialDecode(data, target) == capacity;
            return filledRoom ? DecompressionResult.TooLarge : DecompressionResult.Corrupt;
        }

        produced = decoded;
        Commit(target[..decoded], destination, header.Linked);
        return DecompressionResult.Done;
    }

    private void Commit(Span<byte> content, IBufferWriter<byte> destination, bool linked)
    {
        _contentHash.Append(content);
        if (linked)
        {
            RememberHistory(content);
        }

        destination.Advance(content.Length);
    }

    // Linked blocks may refer to the previous 64 KiB of content, which the destination may no longer expose.
    private void RememberHistory(ReadOnlySpan<byte> content)
    {
        if (content.Length >= HistorySize)
        {
            content[^HistorySize..].CopyTo(_history);
            _historyLength = HistorySize;
            return;
        }

        int keep = Math.Min(_historyLength, HistorySize - content.Length);
        _history.AsSpan(_historyLength - keep, keep).CopyTo(_history);
        content.CopyTo(_history.AsSpan(keep));
        _historyLength = keep + content.Length;
    }

    private static bool TryReadHeader(ReadOnlySpan<byte> source, out FrameHeader header)
    {
        header = default;
        if (source.Length < 7 || BinaryPrimitives.ReadUInt32LittleEndian(source) != Lz4Frame.Magic)
        {
            return false;
        }

        byte flags = source[4];
        byte descriptor = source[5];
        bool hasContentSize = (flags & 0x08) != 0;
        // Version 01, reserved bits clear, no dictionary id (we have no dictionary to decode with); block size id 4-7.
        if ((flags & 0xC0) != 0x40 || (flags & 0x02) != 0 || (flags & 0x01) != 0 || (descriptor & 0x8F) != 0)
        {
            return false;
        }

        int sizeId = descriptor >> 4;
        if (sizeId < 4)
        {
            return false;
        }

        int descriptorLength = 2 + (hasContentSize ? 8 : 0);
        if (source.Length < 4 + descriptorLength + 1
            || Lz4Frame.HeaderChecksum(source.Slice(4, descriptorLength)) != source[4 + descriptorLength])
        {
            return false;
        }

        header = new FrameHeader(
            Length: 4 + descriptorLength + 1,
            Linked: (flags & 0x20) == 0,
            BlockChecksum: (flags & 0x10) != 0,
            ContentChecksum: (flags & 0x04) != 0,
            HasContentSize: hasContentSize,
            ContentSize: hasContentSize ? BinaryPrimitives.ReadUInt64LittleEndian(source[6..]) : 0,
            BlockMaxSize: 1 << (8 + (2 * sizeId)));
        return true;
    }

    private readonly record struct FrameHeader(int Length, bool Linked, bool BlockChecksum, bool ContentChecksum, bool HasContentSize, ulong ContentSize, int BlockMaxSize);
}
