using System;
using System.Buffers;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.Text;

namespace RedisCaching.Internal.Envelope;

/// <summary>
/// The binary header in front of every value RedisCaching stores. Version 2 (written), all integers little-endian:
/// <code>
/// offset size  field
///  0      3    magic 0xFE 'R' 'C'  (0xFE never occurs in UTF-8 text, so a string SET by another program never matches)
///  3      1    format version (2; version 1 is still read)
///  4      1    flags: bit 0 = a tag section follows; bit 1 = a sliding window follows; bit 2 = a type fingerprint
///              follows (bits 1 and 2 version 2 only); other bits 0
///  5      1    serializer id (SerializerIds)
///  6      1    compressor id (0 = none)
///  7      2    encryption key id (0 = none)
///  9      8    created at, Unix ms
/// 17      8    logical expiry, Unix ms (fresh until then; for a sliding entry its absolute cap)
/// 25      8    hard expiry, Unix ms (the latest Redis expiry; fail-safe may serve until then)
/// 33      8    if flag bit 1: the sliding window in ms (each read extends the Redis TTL by it, up to the cap)
///  …      4    if flag bit 2: u32 fingerprint of the value type the entry was written for (TypeIdentity; never 0)
///  …      …    if flag bit 0: u16 tag count, then per tag u16 byte length + UTF-8 bytes, and in version 2 an i64
///              token: the value the tag's key held when the entry was written (remove-by-tag replaces it)
///  …      …    payload, as the serializer (then compressor, then encryption) wrote it
/// </code>
/// Version 1 is the same without bits 1 and 2 and without the tag tokens. A reader rejects an unknown version or
/// unknown flag bits as a miss, never by throwing. Golden files in the tests pin these layouts: a later version must
/// still read them.
/// <para>
/// Why a type fingerprint: the serializer id says which format wrote the payload, not which type, and within one
/// format another type often deserializes "successfully" (JSON of a Widget read as an Invoice gives an Invoice of
/// default members). Every entry RedisCaching writes records the fingerprint of its value type, except raw bytes
/// (serializer id 2: every raw type reads every other, and there is no type to check); a reader that finds one compares
/// it with its own type's and treats a difference as a counted miss, which is also what the memory tier says. The
/// identity has no assembly names or versions, so upgrades keep reading (see TypeIdentity). Entries without the flag
/// (written before it existed, or by another program) are read as before. It is a flag of version 2, not a version 3:
/// a reader older than the flag treats such an entry as unreadable (a counted miss, then overwritten by its factory),
/// exactly as it would treat a new version, and entries without the flag stay byte for byte what version 2 was.
/// </para>
/// </summary>
internal static class EnvelopeFormat
{
    public const byte Version = 2;
    private const byte Version1 = 1;
    public const int FixedHeaderLength = 33;
    private const byte MagicByte0 = 0xFE;
    private const byte MagicByte1 = (byte)'R';
    private const byte MagicByte2 = (byte)'C';
    private const byte FlagHasTags = 1;
    private const byte FlagSliding = 2;
    private const byte FlagTypeFingerprint = 4;
    private const int MaxTagCount = 1024;

    /// <summary>Where the compressor id sits: compression is decided after the header is written, then patched in.</summary>
    public const int CompressorIdOffset = 6;

    public static void WriteHeader(IBufferWriter<byte> target, in EnvelopeHeader header)
    {
        var tags = header.Tags;
        var hasTags = tags is { Count: > 0 };
        if (hasTags && header.TagTokens?.Count != tags!.Count)
        {
            throw new ArgumentException("Every tag needs its token.", nameof(header));
        }

        var span = target.GetSpan(FixedHeaderLength);
        span[0] = MagicByte0;
        span[1] = MagicByte1;
        span[2] = MagicByte2;
        span[3] = Version;
        span[4] = (byte)((hasTags ? FlagHasTags : 0) | (header.SlidingMs > 0 ? FlagSliding : 0) | (header.TypeFingerprint != 0 ? FlagTypeFingerprint : 0));
        span[5] = header.SerializerId;
        span[6] = header.CompressorId;
        BinaryPrimitives.WriteUInt16LittleEndian(span[7..], header.EncryptionKeyId);
        BinaryPrimitives.WriteInt64LittleEndian(span[9..], header.CreatedAtUnixMs);
        BinaryPrimitives.WriteInt64LittleEndian(span[17..], header.LogicalExpiresAtUnixMs);
        BinaryPrimitives.WriteInt64LittleEndian(span[25..], header.HardExpiresAtUnixMs);
        target.Advance(FixedHeaderLength);
        if (header.SlidingMs > 0)
        {
            BinaryPrimitives.WriteInt64LittleEndian(target.GetSpan(8), header.SlidingMs);
            target.Advance(8);
        }

        if (header.TypeFingerprint != 0)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(target.GetSpan(4), header.TypeFingerprint);
            target.Advance(4);
        }

        if (hasTags)
        {
            WriteTags(target, tags!, header.TagTokens!);
        }
    }

    private static void WriteTags(IBufferWriter<byte> target, IReadOnlyList<string> tags, IReadOnlyList<long> tokens)
    {
        if (tags.Count > MaxTagCount)
        {
            throw new ArgumentException($"An entry can carry at most {MaxTagCount} tags.", nameof(tags));
        }

        BinaryPrimitives.WriteUInt16LittleEndian(target.GetSpan(2), (ushort)tags.Count);
        target.Advance(2);
        for (var i = 0; i < tags.Count; i++)
        {
            var tag = tags[i];
            var length = Encoding.UTF8.GetByteCount(tag);
            if (length > ushort.MaxValue)
            {
                throw new ArgumentException("A tag must be shorter than 64 KiB in UTF-8.", nameof(tags));
            }

            var span = target.GetSpan(2 + length + 8);
            BinaryPrimitives.WriteUInt16LittleEndian(span, (ushort)length);
            Encoding.UTF8.GetBytes(tag, span[2..]);
            BinaryPrimitives.WriteInt64LittleEndian(span[(2 + length)..], tokens[i]);
            target.Advance(2 + length + 8);
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

        var version = data[3];
        if (version is not (Version or Version1))
        {
            return EnvelopeReadStatus.UnsupportedVersion;
        }

        var knownFlags = version == Version ? FlagHasTags | FlagSliding | FlagTypeFingerprint : FlagHasTags;
        if (data.Length < FixedHeaderLength || (data[4] & ~knownFlags) != 0)
        {
            return EnvelopeReadStatus.Corrupt;
        }

        var offset = FixedHeaderLength;
        long slidingMs = 0;
        if ((data[4] & FlagSliding) != 0)
        {
            if (data.Length < offset + 8 || (slidingMs = BinaryPrimitives.ReadInt64LittleEndian(data[offset..])) <= 0)
            {
                return EnvelopeReadStatus.Corrupt;
            }

            offset += 8;
        }

        uint typeFingerprint = 0;
        if ((data[4] & FlagTypeFingerprint) != 0)
        {
            if (data.Length < offset + 4 || (typeFingerprint = BinaryPrimitives.ReadUInt32LittleEndian(data[offset..])) == 0)
            {
                return EnvelopeReadStatus.Corrupt;
            }

            offset += 4;
        }

        IReadOnlyList<string>? tags = null;
        IReadOnlyList<long>? tokens = null;
        if ((data[4] & FlagHasTags) != 0 && !TryReadTags(data, version == Version, ref offset, out tags, out tokens))
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
            tags)
        {
            TagTokens = tokens,
            SlidingMs = slidingMs,
            TypeFingerprint = typeFingerprint,
        };
        payloadOffset = offset;
        return EnvelopeReadStatus.Ok;
    }

    /// <summary>
    /// Reads only the expiry fields of an entry from its first bytes (at least <see cref="FixedHeaderLength"/> + 8
    /// when it slides): its logical expiry (for a sliding entry, its cap) and its sliding window (0 when it does not
    /// slide). False when the bytes are not a readable envelope.
    /// </summary>
    public static bool TryReadExpiry(ReadOnlySpan<byte> head, out long logicalExpiresAtUnixMs, out long slidingMs)
    {
        logicalExpiresAtUnixMs = 0;
        slidingMs = 0;
        if (head.Length < FixedHeaderLength || head[0] != MagicByte0 || head[1] != MagicByte1 || head[2] != MagicByte2
            || head[3] is not (Version or Version1))
        {
            return false;
        }

        logicalExpiresAtUnixMs = BinaryPrimitives.ReadInt64LittleEndian(head[17..]);
        if (head[3] == Version && (head[4] & FlagSliding) != 0)
        {
            if (head.Length < FixedHeaderLength + 8)
            {
                return false;
            }

            slidingMs = BinaryPrimitives.ReadInt64LittleEndian(head[FixedHeaderLength..]);
        }

        return slidingMs >= 0;
    }

    private static bool TryReadTags(ReadOnlySpan<byte> data, bool withTokens, ref int offset, out IReadOnlyList<string>? tags, out IReadOnlyList<long>? tokens)
    {
        tags = null;
        tokens = null;
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
        var tokenList = withTokens ? new long[count] : null;
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
            if (tokenList is not null)
            {
                if (data.Length < offset + 8)
                {
                    return false;
                }

                tokenList[i] = BinaryPrimitives.ReadInt64LittleEndian(data[offset..]);
                offset += 8;
            }
        }

        tags = list;
        tokens = tokenList;
        return true;
    }
}
