namespace RedisCaching.Internal.Engine;

/// <summary>How a mutable value sits in memory: as bytes, deserialized on every hit, so callers never share (and mutate) one instance.</summary>
internal sealed class SerializedPayload(byte[] bytes)
{
    public byte[] Bytes { get; } = bytes;
}
