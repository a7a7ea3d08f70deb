using System.Collections.Generic;

namespace RedisCaching.Serialization.Encryption.Internal;

/// <summary>
/// What the encryptor works with for one <see cref="CacheEncryptionKeySet"/>: the active id and a cipher pool per key.
/// Immutable once built; a new key set gives a new ring that carries over the pools of unchanged keys.
/// </summary>
internal sealed class KeyRing
{
    // Key rings are small (a few keys during a rotation), so a linear scan of an array beats a dictionary.
    private readonly AesGcmPool[] _pools;

    private KeyRing(CacheEncryptionKeySet source, AesGcmPool[] pools)
    {
        Source = source;
        _pools = pools;
    }

    public CacheEncryptionKeySet Source { get; }

    public ushort ActiveKeyId => Source.ActiveKeyId;

    public AesGcmPool? Find(ushort keyId)
    {
        foreach (var pool in _pools)
        {
            if (pool.KeyId == keyId)
            {
                return pool;
            }
        }

        return null;
    }

    /// <summary>Builds the ring for <paramref name="keys"/>, reusing <paramref name="previous"/>'s pools whose id and key bytes are unchanged.</summary>
    /// <param name="keys">The new key set.</param>
    /// <param name="previous">The ring in use so far, or null.</param>
    /// <param name="dropped">The previous pools that are not carried over (to retire once the new ring is published).</param>
    public static KeyRing Build(CacheEncryptionKeySet keys, KeyRing? previous, out List<AesGcmPool> dropped)
    {
        var pools = new AesGcmPool[keys.Count];
        for (var i = 0; i < pools.Length; i++)
        {
            var id = keys.IdAt(i);
            var old = previous?.Find(id);
            pools[i] = old is not null && old.HasKey(keys.KeyAt(i)) ? old : new AesGcmPool(id, keys.KeyAt(i));
        }

        dropped = [];
        if (previous is not null)
        {
            foreach (var old in previous._pools)
            {
                if (System.Array.IndexOf(pools, old) < 0)
                {
                    dropped.Add(old);
                }
            }
        }

        return new KeyRing(keys, pools);
    }

    public void Dispose()
    {
        foreach (var pool in _pools)
        {
            pool.Dispose();
        }
    }
}
