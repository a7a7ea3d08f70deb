namespace RedisCaching.Internal.Envelope;

/// <summary>Serializer ids recorded in the envelope. Never reuse a number: old entries keep it forever.</summary>
internal static class SerializerIds
{
    public const byte SystemTextJson = 1;

    /// <summary>The payload is the caller's bytes as given (<c>byte[]</c>, <c>ReadOnlySequence&lt;byte&gt;</c>), not JSON.</summary>
    public const byte RawBytes = 2;
}
