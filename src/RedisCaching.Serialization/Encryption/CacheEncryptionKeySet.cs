using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Security.Cryptography;

namespace RedisCaching.Serialization.Encryption;

/// <summary>
/// An immutable set of AES-256 keys by id: one active (new entries are encrypted with it), all of them readable.
/// A fixed set is its own <see cref="ICacheEncryptionKeyProvider"/>.
/// </summary>
/// <remarks>
/// The set copies the key bytes, so the caller may clear its arrays afterwards. Key material never appears in
/// <see cref="ToString"/> or in exception messages; only ids do.
/// </remarks>
public sealed class CacheEncryptionKeySet : ICacheEncryptionKeyProvider
{
    /// <summary>The size of an AES-256 key in bytes.</summary>
    public const int KeySizeInBytes = 32;

    private readonly ushort[] _ids;
    private readonly byte[][] _keys;

    /// <summary>Creates a key set.</summary>
    /// <param name="activeKeyId">The id new entries are encrypted with; it must be one of <paramref name="keys"/>.</param>
    /// <param name="keys">Key id (1-65535; 0 means "not encrypted" in the entry header) to 32 key bytes.</param>
    /// <exception cref="ArgumentException">An id is 0, a key is not 32 bytes or is all zeros, or the active id has no key.</exception>
    public CacheEncryptionKeySet(ushort activeKeyId, IReadOnlyDictionary<ushort, byte[]> keys)
    {
        ArgumentNullException.ThrowIfNull(keys);
        var ordered = keys.OrderBy(static pair => pair.Key).ToArray();
        _ids = new ushort[ordered.Length];
        _keys = new byte[ordered.Length][];
        for (var i = 0; i < ordered.Length; i++)
        {
            var (id, key) = (ordered[i].Key, ordered[i].Value);
            if (id == 0)
            {
                throw new ArgumentException("Key id 0 is reserved (it means \"not encrypted\" in the entry header); use 1-65535.", nameof(keys));
            }

            if (key is null || key.Length != KeySizeInBytes)
            {
                throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"Key {id} is {key?.Length ?? 0} bytes; AES-256 needs exactly {KeySizeInBytes}."), nameof(keys));
            }

            if (!key.AsSpan().ContainsAnyExcept((byte)0))
            {
                throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"Key {id} is all zeros (a placeholder?); use {KeySizeInBytes} random bytes."), nameof(keys));
            }

            _ids[i] = id;
            _keys[i] = (byte[])key.Clone();
        }

        if (Array.IndexOf(_ids, activeKeyId) < 0)
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"The active key id {activeKeyId} is not among the keys ({DescribeIds(_ids)})."), nameof(activeKeyId));
        }

        ActiveKeyId = activeKeyId;
        KeyIds = Array.AsReadOnly(_ids);
    }

    /// <summary>The id of the key new entries are encrypted with.</summary>
    public ushort ActiveKeyId { get; }

    /// <summary>The ids of every readable key, ascending.</summary>
    public IReadOnlyList<ushort> KeyIds { get; }

    /// <inheritdoc/>
    CacheEncryptionKeySet ICacheEncryptionKeyProvider.Current => this;

    /// <summary>The number of keys.</summary>
    internal int Count => _ids.Length;

    /// <summary>Ids and the active one; never key material.</summary>
    /// <returns>For example <c>CacheEncryptionKeySet(active 2; keys 1, 2)</c>.</returns>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"CacheEncryptionKeySet(active {ActiveKeyId}; keys {DescribeIds(_ids)})");

    internal ushort IdAt(int index) => _ids[index];

    internal ReadOnlySpan<byte> KeyAt(int index) => _keys[index];

    /// <summary>True when both sets have the same active id and the same keys (so a reload that changed nothing keeps the old set).</summary>
    internal bool HasSameKeysAs(CacheEncryptionKeySet other)
    {
        if (other.ActiveKeyId != ActiveKeyId || other._ids.Length != _ids.Length)
        {
            return false;
        }

        for (var i = 0; i < _ids.Length; i++)
        {
            if (other._ids[i] != _ids[i] || !CryptographicOperations.FixedTimeEquals(other._keys[i], _keys[i]))
            {
                return false;
            }
        }

        return true;
    }

    internal static string DescribeIds(IEnumerable<ushort> ids) => string.Join(", ", ids.Select(static id => id.ToString(CultureInfo.InvariantCulture)));
}
