namespace RedisCaching.Serialization.Encryption;

/// <summary>
/// Supplies the value-encryption keys: which key new entries use and which keys can still be read. The host
/// implements it to take keys from a vault or a secret store; a fixed <see cref="CacheEncryptionKeySet"/> is itself a
/// provider.
/// </summary>
/// <remarks>
/// <see cref="Current"/> is read on every encryption and decryption, from many threads at once: return a field, never
/// call out to a vault from it. To rotate or reload, build a new <see cref="CacheEncryptionKeySet"/> and publish it
/// (replace the reference); the encryptor notices the new instance on its next call, without a restart. Returning the
/// same instance while nothing changed keeps the encryptor's warmed-up cipher instances.
/// </remarks>
public interface ICacheEncryptionKeyProvider
{
    /// <summary>The keys in use now (never null).</summary>
    CacheEncryptionKeySet Current { get; }
}
