namespace RedisCaching.Internal.Envelope;

/// <summary>Serializer ids recorded in the envelope. Never reuse a number: old entries keep it forever.</summary>
internal static class SerializerIds
{
    public const byte SystemTextJson = 1;
}
