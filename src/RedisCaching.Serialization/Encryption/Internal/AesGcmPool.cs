using System;
using System.Security.Cryptography;
using System.Threading;

namespace RedisCaching.Serialization.Encryption.Internal;

/// <summary>
/// Reusable <see cref="AesGcm"/> instances for one key.
/// </summary>
/// <remarks>
/// Why a pool: an <see cref="AesGcm"/> instance must not be used by two threads at once (on Linux and macOS it wraps
/// one OpenSSL cipher context whose key and nonce are set per call; dotnet/runtime#53320), and creating one per call
/// repeats the key schedule and allocates. So each call rents an instance, uses it alone and returns it. The pool is a
/// fixed array of slots taken and filled with interlocked exchanges: no lock and no allocation once warm. When all
/// slots are taken (more concurrent calls than slots) a new instance is made; one that finds no free slot on return is
/// disposed.
/// </remarks>
internal sealed class AesGcmPool : IDisposable
{
    private const int TagSize = AesGcmCacheEncryptor.TagSize;

    private readonly AesGcm?[] _slots = new AesGcm?[Math.Clamp(Environment.ProcessorCount * 2, 4, 64)];
    private readonly Lock _gate = new();
    private readonly byte[] _key;
    private volatile bool _retired;
    private bool _disposed;

    public AesGcmPool(ushort keyId, ReadOnlySpan<byte> key)
    {
        KeyId = keyId;

        // Pinned, so the GC never leaves copies of the key behind when it compacts; cleared on Dispose.
        _key = GC.AllocateUninitializedArray<byte>(key.Length, pinned: true);
        key.CopyTo(_key);
    }

    public ushort KeyId { get; }

    /// <summary>True when the pool was made from exactly these key bytes (a reload that kept the key keeps the pool).</summary>
    public bool HasKey(ReadOnlySpan<byte> key) => CryptographicOperations.FixedTimeEquals(_key, key);

    public AesGcm Rent()
    {
        var slots = _slots;
        for (var i = 0; i < slots.Length; i++)
        {
            var item = Volatile.Read(ref slots[i]);
            if (item is not null && ReferenceEquals(Interlocked.CompareExchange(ref slots[i], null, item), item))
            {
                return item;
            }
        }

        return Create();
    }

    public void Return(AesGcm item)
    {
        if (!_retired)
        {
            var slots = _slots;
            for (var i = 0; i < slots.Length; i++)
            {
                if (Volatile.Read(ref slots[i]) is null && Interlocked.CompareExchange(ref slots[i], item, null) is null)
                {
                    // Retire may have drained the slots between our check and the store: take it back if so.
                    if (_retired && ReferenceEquals(Interlocked.CompareExchange(ref slots[i], null, item), item))
                    {
                        item.Dispose();
                    }

                    return;
                }
            }
        }

        item.Dispose();
    }

    /// <summary>
    /// The key left the ring: pooled instances are disposed now and rented ones on return. Calls still in flight
    /// finish (the key bytes stay until the pool is collected), so a rotation never fails an operation half-way.
    /// </summary>
    public void Retire()
    {
        _retired = true;
        Drain();
    }

    /// <summary>Disposes every instance and clears the key; a later <see cref="Rent"/> throws <see cref="ObjectDisposedException"/>.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            _retired = true;
            _disposed = true;
            CryptographicOperations.ZeroMemory(_key);
        }

        Drain();
    }

    private AesGcm Create()
    {
        // Rare (warm-up, or more concurrent calls than slots): the lock only orders it against Dispose clearing the key.
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return new AesGcm(_key, TagSize);
        }
    }

    private void Drain()
    {
        for (var i = 0; i < _slots.Length; i++)
        {
            Interlocked.Exchange(ref _slots[i], null)?.Dispose();
        }
    }
}
