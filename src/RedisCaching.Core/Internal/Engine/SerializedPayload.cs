namespace RedisCaching.Internal.Engine;

/// <summary>
/// How a mutable value sits in memory: as its serialized bytes (never compressed or encrypted: memory is this
/// process's own), deserialized on every hit, so callers never share (and mutate) one instance. The serializer that
/// wrote them travels with them, so memory reads them back only as what they are: a reader of another type gets a
/// miss, as it would from Redis.
/// </summary>
internal sealed class SerializedPayload(byte[] bytes, object serializer)
{
    public byte[] Bytes { get; } = bytes;

    /// <summary>The <see cref="ICacheSerializer{T}"/> that wrote <see cref="Bytes"/>.</summary>
    public object Serializer { get; } = serializer;
}
