using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Threading;

namespace RedisCaching.Internal.Memory;

/// <summary>
/// The bounded concurrent map behind the tier: entries and bytes are bounded, expired entries are never returned,
/// and a hit allocates nothing. Coherence (versions, generations) is the tier's business, not the store's.
/// </summary>
internal sealed class MemoryStore(int maxEntries, long maxBytes, IEvictionPolicy policy)
{
    private readonly ConcurrentDictionary<string, MemoryNode> _map = new(StringComparer.Ordinal);
    private int _count;
    private long _bytes;
    private long _evictions;

    /// <summary>Entries held (ConcurrentDictionary.Count takes every lock, so we count ourselves).</summary>
    public int Count => Volatile.Read(ref _count);

    public long Bytes => Interlocked.Read(ref _bytes);

    public long Evictions => Interlocked.Read(ref _evictions);

    /// <summary>
    /// An entry past its expiry is never returned; it is removed once it is <see cref="RemovalGraceMs"/> past it, so a
    /// caller whose clock runs ahead (the engine's hit clock) never removes an entry before it expired.
    /// </summary>
    private const long RemovalGraceMs = Engine.HitClock.MaxLeadMs;

    public bool TryGet(string key, long nowUnixMs, out MemoryEntry entry)
    {
        if (_map.TryGetValue(key, out var node))
        {
            if (node.ExpiresAtUnixMs > nowUnixMs)
            {
                policy.OnHit(node);
                entry = node.Entry;
                return true;
            }

            if (node.ExpiresAtUnixMs <= nowUnixMs - RemovalGraceMs)
            {
                RemoveNode(node);
            }
        }

        entry = null!;
        return false;
    }

    /// <summary>Stores an entry (replacing any other for the key); null when it can never fit.</summary>
    public MemoryNode? Set(string key, MemoryEntry entry, DateTimeOffset expiresAt)
    {
        if (entry.SizeBytes > maxBytes || entry.SizeBytes < 0)
        {
            return null;
        }

        var node = new MemoryNode(key, entry, expiresAt);
        while (true)
        {
            if (_map.TryGetValue(key, out var old))
            {
                if (_map.TryUpdate(key, node, old))
                {
                    Forget(old);
                    break;
                }
            }
            else if (_map.TryAdd(key, node))
            {
                break;
            }
        }

        Interlocked.Increment(ref _count);
        Interlocked.Add(ref _bytes, node.Entry.SizeBytes);
        policy.OnAdded(node);
        EvictWhileOverBounds();
        policy.Trim(Count);
        return node;
    }

    public bool Remove(string key)
    {
        if (_map.TryRemove(key, out var node))
        {
            Forget(node);
            return true;
        }

        return false;
    }

    /// <summary>Removes exactly this node, not a newer one stored for the same key since.</summary>
    public bool RemoveNode(MemoryNode node)
    {
        if (_map.TryRemove(new KeyValuePair<string, MemoryNode>(node.Key, node)))
        {
            Forget(node);
            return true;
        }

        return false;
    }

    /// <summary>Removes everything; returns how many entries were dropped.</summary>
    public int Clear()
    {
        var dropped = 0;
        foreach (var pair in _map)
        {
            if (RemoveNode(pair.Value))
            {
                dropped++;
            }
        }

        return dropped;
    }

    private void Forget(MemoryNode node)
    {
        node.Removed = true;
        Interlocked.Decrement(ref _count);
        Interlocked.Add(ref _bytes, -node.Entry.SizeBytes);
    }

    private void EvictWhileOverBounds()
    {
        while (Count > maxEntries || Bytes > maxBytes)
        {
            var victim = policy.NextVictim();
            if (victim is null)
            {
                return;
            }

            if (RemoveNode(victim))
            {
                Interlocked.Increment(ref _evictions);
            }
        }
    }
}
