using System;
using System.Buffers;

namespace RedisCaching;

/// <summary>
/// Encrypts entry payloads with authenticated encryption (RedisCaching.Serialization provides AES-256-GCM with a key
/// ring). The cache passes the entry's header and Redis key as associated data, so an entry whose header was altered
/// or that was copied under another key fails to decrypt (a counted miss).
/// </summary>
public interface ICacheEncryptor
{
    /// <summary>The id of the key new entries are encrypted with (1-65535; 0 means "not encrypted" in the envelope).</summary>
    ushort ActiveKeyId { get; }

    /// <summary>
    /// Encrypts <paramref name="plaintext"/> with key <paramref name="keyId"/> (read from <see cref="ActiveKeyId"/> just
    /// before). When the key left the ring in between, throw <see cref="System.Security.Cryptography.CryptographicException"/>:
    /// the cache then builds the entry once more with the key active at that point.
    /// </summary>
    /// <param name="keyId">The key to use; it is recorded in the entry's header.</param>
    /// <param name="plaintext">The payload.</param>
    /// <param name="associatedData">Data authenticated with the payload but not stored by the encryptor.</param>
    /// <param name="destination">Where the encrypted payload goes (whatever the encryptor needs to decrypt it: nonce, ciphertext, tag).</param>
    void Encrypt(ushort keyId, ReadOnlySpan<byte> plaintext, ReadOnlySpan<byte> associatedData, IBufferWriter<byte> destination);

    /// <summary>Decrypts what <see cref="Encrypt"/> wrote. Never throws for bad input.</summary>
    /// <param name="keyId">The key id the entry records.</param>
    /// <param name="ciphertext">The encrypted payload.</param>
    /// <param name="associatedData">The same associated data the entry was encrypted with.</param>
    /// <param name="destination">Where the payload goes.</param>
    /// <returns>False when the key is unknown or the data fails authentication (tampered, truncated, moved to another key).</returns>
    bool TryDecrypt(ushort keyId, ReadOnlySpan<byte> ciphertext, ReadOnlySpan<byte> associatedData, IBufferWriter<byte> destination);
}
