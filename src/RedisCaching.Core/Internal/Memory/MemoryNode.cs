using System;

namespace RedisCaching.Internal.Memory;

/// <summary>One stored entry with the bookkeeping the store and the eviction policy need.</summary>
internal sealed class MemoryNode(string key, MemoryEntry entry, DateTimeOffset expiresAt)
{
    public string Key { get; } = key;

    public MemoryEntry Entry { get; } = entry;

    /// <summary>The earlier of the entry's hard expiry and the tier's lifetime backstop.</summary>
    public DateTimeOffset ExpiresAt { get; } = expiresAt;

    /// <summary><see cref="ExpiresAt"/> in Unix milliseconds: the hit path compares numbers, not dates.</summary>
    public long ExpiresAtUnixMs { get; } = expiresAt.ToUnixTimeMilliseconds();

    /// <summary>Set on a hit, cleared by the clock hand (CLOCK's reference bit).</summary>
    public int Referenced;

    /// <summary>Set once the node left the map; the policy then skips it.</summary>
    public volatile bool Removed;
}
