using System.Collections.Generic;

namespace RedisCaching.Internal.Envelope;

/// <summary>The decoded header of a stored entry (see <see cref="EnvelopeFormat"/> for the layout).</summary>
/// <param name="SerializerId">Which serializer wrote the payload (<see cref="SerializerIds"/>).</param>
/// <param name="CompressorId">Which compressor, 0 for none.</param>
/// <param name="EncryptionKeyId">Which encryption key, 0 for none.</param>
/// <param name="CreatedAtUnixMs">When the entry was written (Unix ms).</param>
/// <param name="LogicalExpiresAtUnixMs">When the value stops being fresh (Unix ms); for a sliding entry, its absolute cap.</param>
/// <param name="HardExpiresAtUnixMs">When the entry expires in Redis at the latest (Unix ms); fail-safe may serve it until then.</param>
/// <param name="Tags">The entry's tags, or null.</param>
internal readonly record struct EnvelopeHeader(
    byte SerializerId,
    byte CompressorId,
    ushort EncryptionKeyId,
    long CreatedAtUnixMs,
    long LogicalExpiresAtUnixMs,
    long HardExpiresAtUnixMs,
    IReadOnlyList<string>? Tags)
{
    /// <summary>
    /// The token each tag had when the entry was written, in the order of <see cref="Tags"/> (version 2). Null for a
    /// version 1 entry, whose tags cannot be checked.
    /// </summary>
    public IReadOnlyList<long>? TagTokens { get; init; }

    /// <summary>The sliding window in milliseconds (version 2); 0 when the entry does not slide.</summary>
    public long SlidingMs { get; init; }

    /// <summary>The fingerprint of the value type the entry was written for (<see cref="TypeIdentity"/>); 0 when it records none.</summary>
    public uint TypeFingerprint { get; init; }
}
