using System;
using System.Buffers;
using System.Buffers.Binary;
using System.Globalization;
using System.Security.Cryptography;
using System.Threading;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using RedisCaching.Serialization.Encryption.Internal;
using RedisCaching.Serialization.Internal;

namespace RedisCaching.Serialization.Encryption;

/// <summary>
/// AES-256-GCM value encryption with a key ring (<see cref="ICacheEncryptionKeyProvider"/>): one active key, every key of
/// the ring readable, and a new key set from the provider picked up on the next call.
/// </summary>
/// <remarks>
/// <para>Layout of an encrypted payload (version 1; later versions must keep reading it):</para>
/// <code>
/// nonce (12 bytes, random per encryption) | ciphertext (same length as the plaintext) | tag (16 bytes)
/// </code>
/// <para>
/// The associated data given to AES-GCM is <c>key id (2 bytes, big-endian) | the caller's associated data</c>. The
/// cache passes the entry's Redis key and envelope header, so an entry copied under another Redis key, a changed header,
/// or an entry relabelled with another key id fails authentication. The key id is bound here as well, so an entry stays
/// bound to its id even if two ids ever held the same key bytes.
/// </para>
/// <para>
/// Nonces are 96 random bits per encryption (from <see cref="RandomNumberGenerator"/>, buffered per thread): keep well
/// under 2^32 encryptions per key (NIST SP 800-38D) by rotating keys.
/// Thread-safe; after warm-up an operation allocates nothing (cipher instances are pooled per key).
/// </para>
/// </remarks>
public sealed class AesGcmCacheEncryptor : ICacheEncryptor, IDisposable
{
    /// <summary>The nonce size in bytes.</summary>
    public const int NonceSize = 12;

    /// <summary>The authentication tag size in bytes.</summary>
    public const int TagSize = 16;

    /// <summary>What an encrypted payload adds to the plaintext: nonce and tag.</summary>
    public const int Overhead = NonceSize + TagSize;

    // Associated data up to this size is assembled on the stack; longer (very long Redis keys) in a pooled array.
    private const int StackAssociatedDataLimit = 512;

    private readonly ICacheEncryptionKeyProvider _provider;
    private readonly ILogger _logger;
    private readonly Lock _gate = new();
    private KeyRing? _ring;
    private bool _disposed;

    /// <summary>Creates an encryptor over the keys of <paramref name="keyProvider"/>.</summary>
    /// <param name="keyProvider">The key ring source; a <see cref="CacheEncryptionKeySet"/> for fixed keys.</param>
    /// <param name="logger">Logs key ring changes (ids only, never key material); optional.</param>
    /// <exception cref="PlatformNotSupportedException">The platform has no AES-GCM.</exception>
    public AesGcmCacheEncryptor(ICacheEncryptionKeyProvider keyProvider, ILogger<AesGcmCacheEncryptor>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(keyProvider);
        if (!AesGcm.IsSupported)
        {
            throw new PlatformNotSupportedException("AES-GCM is not supported on this platform, so value encryption cannot be used.");
        }

        _provider = keyProvider;
        _logger = logger ?? (ILogger)NullLogger.Instance;
    }

    /// <inheritdoc/>
    public ushort ActiveKeyId => CurrentRing().ActiveKeyId;

    /// <inheritdoc/>
    /// <exception cref="CryptographicException">The key id is not in the key ring.</exception>
    public void Encrypt(ushort keyId, ReadOnlySpan<byte> plaintext, ReadOnlySpan<byte> associatedData, IBufferWriter<byte> destination)
    {
        ArgumentNullException.ThrowIfNull(destination);
        if (plaintext.Length > int.MaxValue - Overhead)
        {
            throw new ArgumentException("The payload is too large to encrypt.", nameof(plaintext));
        }

        var pool = CurrentRing().Find(keyId)
            ?? throw new CryptographicException(string.Create(CultureInfo.InvariantCulture, $"Encryption key {keyId} is not in the key ring."));

        var length = NonceSize + plaintext.Length + TagSize;
        var output = destination.GetSpan(length)[..length];
        var nonce = output[..NonceSize];
        NonceSource.Next(nonce);

        byte[]? rented = null;
        var aad = BindKeyId(keyId, associatedData, stackalloc byte[StackAssociatedDataLimit], ref rented);
        var aes = pool.Rent();
        try
        {
            aes.Encrypt(nonce, plaintext, output.Slice(NonceSize, plaintext.Length), output[^TagSize..], aad);
        }
        finally
        {
            pool.Return(aes);
            Release(rented);
        }

        destination.Advance(length);
    }

    /// <inheritdoc/>
    public bool TryDecrypt(ushort keyId, ReadOnlySpan<byte> ciphertext, ReadOnlySpan<byte> associatedData, IBufferWriter<byte> destination)
    {
        ArgumentNullException.ThrowIfNull(destination);
        if (ciphertext.Length < Overhead || TryCurrentRing()?.Find(keyId) is not { } pool)
        {
            return false;
        }

        var length = ciphertext.Length - Overhead;
        var plaintext = destination.GetSpan(length)[..length];
        byte[]? rented = null;
        var aad = BindKeyId(keyId, associatedData, stackalloc byte[StackAssociatedDataLimit], ref rented);
        AesGcm? aes = null;
        try
        {
            aes = pool.Rent();

            // On a failed tag AesGcm clears the plaintext it wrote; we do not advance, so the writer holds nothing of it.
            aes.Decrypt(ciphertext[..NonceSize], ciphertext.Slice(NonceSize, length), ciphertext[^TagSize..], plaintext, aad);
        }
        catch (CryptographicException)
        {
            return false;
        }
        catch (ObjectDisposedException)
        {
            // The encryptor was disposed while this call ran (shutdown): a miss, not an exception into the cache.
            return false;
        }
        finally
        {
            if (aes is not null)
            {
                pool.Return(aes);
            }

            Release(rented);
        }

        destination.Advance(length);
        return true;
    }

    /// <summary>Disposes the pooled cipher instances and clears the key copies this encryptor holds.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            _ring?.Dispose();
            _ring = null;
        }
    }

    /// <summary>Key ids and the active one; never key material.</summary>
    /// <returns>A description of the current ring.</returns>
    public override string ToString() =>
        Volatile.Read(ref _ring) is { } ring ? $"AesGcmCacheEncryptor({ring.Source})" : "AesGcmCacheEncryptor(no keys loaded yet)";

    private static Span<byte> BindKeyId(ushort keyId, ReadOnlySpan<byte> associatedData, Span<byte> stack, ref byte[]? rented)
    {
        var length = sizeof(ushort) + associatedData.Length;
        var buffer = length <= stack.Length ? stack : (rented = ArrayPool<byte>.Shared.Rent(length));
        buffer = buffer[..length];
        BinaryPrimitives.WriteUInt16BigEndian(buffer, keyId);
        associatedData.CopyTo(buffer[sizeof(ushort)..]);
        return buffer;
    }

    private static void Release(byte[]? rented)
    {
        if (rented is not null)
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    private KeyRing? TryCurrentRing()
    {
        try
        {
            return CurrentRing();
        }
        catch (Exception ex) when (ex is InvalidOperationException or ObjectDisposedException)
        {
            return null;
        }
    }

    /// <summary>The ring for the provider's current key set: a reference comparison per call, a rebuild when the set changed.</summary>
    private KeyRing CurrentRing()
    {
        var keys = _provider.Current ?? throw new InvalidOperationException("The encryption key provider returned no key set.");
        var ring = Volatile.Read(ref _ring);
        return ring is not null && ReferenceEquals(ring.Source, keys) ? ring : Rebuild(keys);
    }

    private KeyRing Rebuild(CacheEncryptionKeySet keys)
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            var previous = _ring;
            if (previous is not null && ReferenceEquals(previous.Source, keys))
            {
                return previous;
            }

            var ring = KeyRing.Build(keys, previous, out var dropped);
            Volatile.Write(ref _ring, ring);
            foreach (var pool in dropped)
            {
                pool.Retire();
            }

            if (previous is null)
            {
                Log.KeyRingLoaded(_logger, keys.ActiveKeyId, CacheEncryptionKeySet.DescribeIds(keys.KeyIds));
            }
            else if (!keys.HasSameKeysAs(previous.Source))
            {
                Log.KeyRingChanged(_logger, previous.ActiveKeyId, keys.ActiveKeyId, CacheEncryptionKeySet.DescribeIds(keys.KeyIds));
            }

            return ring;
        }
    }
}
