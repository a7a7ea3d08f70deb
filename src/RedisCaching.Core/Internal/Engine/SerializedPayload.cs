namespace RedisCaching.Internal.Engine;

/// <summary>
/// How a mutable value sits in memory: as bytes, deserialized on every hit, so callers never share (and mutate) one
/// instance. The serializer id travels with them, as in the envelope: bytes one serializer wrote are never read by
/// another (a JSON record read as raw bytes, or raw bytes that happen to be JSON), so memory answers as Redis does.
/// </summary>
internal sealed class SerializedPayload(byte[] bytes, byte serializerId)
{
    public byte[] Bytes { get; } = bytes;

    public byte SerializerId { get; } = serializerId;
}
