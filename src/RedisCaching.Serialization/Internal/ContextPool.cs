using System;
using System.Threading;

namespace RedisCaching.Serialization.Internal;

/// <summary>
/// A small lock-free pool of codec contexts (native zstd contexts, LZ4 history buffers). Creating a context costs
/// far more than one compression of a cache entry, so each operation rents one and gives it back; once warm, the hot
/// path allocates nothing. Slots are swapped with <see cref="Interlocked"/>, so renting and returning never block
/// and never allocate; when every slot is full a returned context is disposed instead of kept.
/// </summary>
/// <typeparam name="T">The context type.</typeparam>
internal sealed class ContextPool<T> : IDisposable
    where T : class, IDisposable
{
    private readonly T?[] _slots;
    private volatile bool _disposed;

    /// <summary>Creates a pool that keeps at most <paramref name="capacity"/> idle contexts.</summary>
    public ContextPool(int capacity) => _slots = new T?[Math.Max(1, capacity)];

    /// <summary>The default capacity: two per core covers every thread that can run at once, plus the ones in between.</summary>
    public static int DefaultCapacity => Environment.ProcessorCount * 2;

    /// <summary>An idle context, or null when none is left (the caller then creates one).</summary>
    public T? TryRent()
    {
        T?[] slots = _slots;
        for (int i = 0; i < slots.Length; i++)
        {
            T? item = Interlocked.Exchange(ref slots[i], null);
            if (item is not null)
            {
                return item;
            }
        }

        return null;
    }

    /// <summary>Keeps <paramref name="item"/> for the next caller, or disposes it when the pool is full or disposed.</summary>
    public void Return(T item)
    {
        if (!_disposed)
        {
            T?[] slots = _slots;
            for (int i = 0; i < slots.Length; i++)
            {
                if (Interlocked.CompareExchange(ref slots[i], item, null) is null)
                {
                    // A Dispose that ran meanwhile may have missed this slot: take it back out and free it.
                    if (_disposed && Interlocked.CompareExchange(ref slots[i], null, item) == item)
                    {
                        item.Dispose();
                    }

                    return;
                }
            }
        }

        item.Dispose();
    }

    /// <summary>Disposes every idle context; contexts still rented are disposed when they come back.</summary>
    public void Dispose()
    {
        _disposed = true;
        for (int i = 0; i < _slots.Length; i++)
        {
            Interlocked.Exchange(ref _slots[i], null)?.Dispose();
        }
    }
}
