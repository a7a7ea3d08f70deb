using System.Collections.Concurrent;
using System.Threading;

namespace RedisCaching.Internal.Memory;

/// <summary>
/// CLOCK (second chance): nodes sit in a FIFO ring; a hit only sets a reference bit, and the hand evicts the first
/// node whose bit is clear, clearing bits as it passes. Why this one: a hit costs one plain store and no lock or
/// allocation (TryGet must allocate nothing), eviction is amortized O(1), and under skewed (Zipf-like) workloads
/// the hot keys keep getting their second chance while one-hit wonders leave first, which is most of LRU's benefit
/// without LRU's per-hit list update. Sampled LRU would need random access into a concurrent map, which we lack.
/// </summary>
internal sealed class ClockEvictionPolicy : IEvictionPolicy
{
    private readonly ConcurrentQueue<MemoryNode> _ring = new();

    public void OnAdded(MemoryNode node) => _ring.Enqueue(node);

    public void OnHit(MemoryNode node)
    {
        // Read first: hot entries are read from many threads, and an unconditional write would bounce the cache line.
        if (Volatile.Read(ref node.Referenced) == 0)
        {
            Volatile.Write(ref node.Referenced, 1);
        }
    }

    public MemoryNode? NextVictim()
    {
        // Two sweeps at most: the first may only clear reference bits.
        var budget = (_ring.Count * 2) + 1;
        while (budget-- > 0 && _ring.TryDequeue(out var node))
        {
            if (node.Removed)
            {
                continue;
            }

            if (Interlocked.Exchange(ref node.Referenced, 0) == 1)
            {
                _ring.Enqueue(node);
                continue;
            }

            return node;
        }

        return null;
    }

    public void Trim(int liveCount)
    {
        // Replaced and invalidated nodes stay in the ring until the hand passes; without eviction pressure it
        // would grow with every write, so sweep it when it is more than twice the live size.
        // ConcurrentQueue.Count takes a lock once the queue spans several segments: read once per call, not once per
        // node moved (every fill past the limit trims a little, and fills follow every invalidation).
        var limit = (2L * liveCount) + 64;
        var count = _ring.Count;
        var budget = count;
        while (count > limit && budget-- > 0 && _ring.TryDequeue(out var node))
        {
            if (node.Removed)
            {
                count--;
            }
            else
            {
                _ring.Enqueue(node);
            }
        }
    }
}
