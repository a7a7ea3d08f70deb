namespace RedisCaching.Internal.Envelope;

/// <summary>The fingerprint of <typeparamref name="T"/> (<see cref="TypeIdentity"/>), computed once per type: a hit reads one static field.</summary>
/// <typeparam name="T">The value type.</typeparam>
internal static class TypeFingerprint<T>
{
    public static readonly uint Value = TypeIdentity.Fingerprint(TypeIdentity.Of(typeof(T)));
}
