using System;
using System.Buffers;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.Text;

namespace RedisCaching.Internal.Envelope;

/// <summary>
/// The binary header in front of every value RedisCaching stores. Version 1, all integers little-endian:
/// <code>
/// offset size  field
///  0      3    magic 0xFE 'R' 'C'  (0xFE never occurs in UTF-8 text, so a string SET by another program never matches)
///  3      1    format version (1)
///  4      1    flags: bit 0 = a tag section follows the fixed header; other bits must be 0 in version 1
///  5      1    serializer id (SerializerIds)
///  6      1    compressor id (0 = none)
///  7      2    encryption key id (0 = none)
///  9      8    created at, Unix ms
/// 17      8    logical expiry, Unix ms (fresh until then)
/// 25      8    hard expiry, Unix ms (the Redis TTL; fail-safe may serve until then)
/// 33      …    if flag bit 0: u16 tag count, then per tag u16 byte length + UTF-8 bytes
///  …      …    payload, as the serializer (then compressor, then encryption) wrote it
/// </code>
/// A reader rejects an unknown version or unknown flag bits as a miss, never by throwing. Golden files in the
/// tests pin this layout: a later version must still read them.
/// </summary>
internal static class EnvelopeFormat
{
    public const byte Version = 1;
    public const int FixedHeaderLength = 33;
    private const byte MagicByte0 = 0xFE;
    private const byte MagicByte1 = (byte)'R';
    private const byte MagicByte2 = (byte)'C';
    private const byte FlagHasTags = 1;
    private const int MaxTagCount = 1024;

    public static void WriteHeader(IBufferWriter<byte> target, in EnvelopeHeader header)
    {
        var tags = header.Tags;
        var hasTags = tags is { Count: > 0 };
        var span = target.GetSpan(FixedHeaderLength);
        span[0] = MagicByte0;
        span[1] = MagicByte1;
        span[2] = MagicByte2;
        span[3] = Version;
        span[4] = hasTags ? FlagHasTags : (byte)0;
        span[5] = header.SerializerId;
        span[6] = header.CompressorId;
        BinaryPrimitives.WriteUInt16LittleEndian(span[7..], header.EncryptionKeyId);
        BinaryPrimitives.WriteInt64LittleEndian(span[9..], header.CreatedAtUnixMs);
        BinaryPrimitives.WriteInt64LittleEndian(span[17..], header.LogicalExpiresAtUnixMs);
        BinaryPrimitives.WriteInt64LittleEndian(span[25..], header.HardExpiresAtUnixMs);
        target.Advance(FixedHeaderLength);
        if (hasTags)
        {
            WriteTags(target, tags!);
        }
    }

    private static void WriteTags(IBufferWriter<byte> target, IReadOnlyList<string> tags)
    {
        if (tags.Count > MaxTagCount)
        {
            throw new ArgumentException($"An entry can carry at most {MaxTagCount} tags.", nameof(tags));
        }

        BinaryPrimitives.WriteUInt16LittleEndian(target.GetSpan(2), (ushort)tags.Count);
        target.Advance(2);
        foreach (var tag in tags)
        {
            var length = Encoding.UTF8.GetByteCount(tag);
            if (length > ushort.MaxValue)
            {
                throw new ArgumentException("A tag must be shorter than 64 KiB in UTF-8.", nameof(tags));
            }

            var span = target.GetSpan(2 + length);
            BinaryPrimitives.WriteUInt16LittleEndian(span, (ushort)length);
            Encoding.UTF8.GetBytes(tag, span[2..]);
            target.Advance(2 + length);
        }
    }

    /// <summary>Reads the header of <paramref name="data"/>; on success <paramref name="payloadOffset"/> is where the payload starts.</summary>
    public static EnvelopeReadStatus TryRead(ReadOnlySpan<byte> data, out EnvelopeHeader header, out int payloadOffset)
    {
        header = default;
        payloadOffset = 0;
        if (data.Length < 4 || data[0] != MagicByte0 || data[1] != MagicByte1 || data[2] != MagicByte2)
        {
            return EnvelopeReadStatus.Foreign;
        }

        if (data[3] != Version)
        {
            return EnvelopeReadStatus.UnsupportedVersion;
        }

        if (data.Length < FixedHeaderLength || (data[4] & ~FlagHasTags) != 0)
        {
            return EnvelopeReadStatus.Corrupt;
        }

        var offset = FixedHeaderLength;
        IReadOnlyList<string>? tags = null;
        if ((data[4] & FlagHasTags) != 0 && !TryReadTags(data, ref offset, out tags))
        {
            return EnvelopeReadStatus.Corrupt;
        }

        header = new EnvelopeHeader(
            data[5],
            data[6],
            BinaryPrimitives.ReadUInt16LittleEndian(data[7..]),
            BinaryPrimitives.ReadInt64LittleEndian(data[9..]),
            BinaryPrimitives.ReadInt64LittleEndian(data[17..]),
            BinaryPrimitives.ReadInt64LittleEndian(data[25..]),
            tags);
        payloadOffset = offset;
        return EnvelopeReadStatus.Ok;
    }

    private static bool TryReadTags(ReadOnlySpan<byte> data, ref int offset, out IReadOnlyList<string>? tags)
    {
        tags = null;
        if (data.Length < offset + 2)
        {
            return false;
        }

        int count = BinaryPrimitives.ReadUInt16LittleEndian(data[offset..]);
        offset += 2;
        if (count > MaxTagCount)
        {
            return false;
        }

        var list = new string[count];
        for (var i = 0; i < count; i++)
        {
            if (data.Length < offset + 2)
            {
                return false;
            }

            int length = BinaryPrimitives.ReadUInt16LittleEndian(data[offset..]);
            offset += 2;
            if (data.Length < offset + length)
            {
                return false;
            }

            list[i] = Encoding.UTF8.GetString(data.Slice(offset, length));
            offset += length;
        }

        tags = list;
        return true;
    }
}
