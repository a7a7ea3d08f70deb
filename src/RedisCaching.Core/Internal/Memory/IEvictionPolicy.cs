namespace RedisCaching.Internal.Memory;

/// <summary>Chooses what to evict when the store is over a bound; kept small so alternatives can be measured later.</summary>
internal interface IEvictionPolicy
{
    /// <summary>A node was added to the store.</summary>
    void OnAdded(MemoryNode node);

    /// <summary>A node was read; must not allocate (it runs on every hit).</summary>
    void OnHit(MemoryNode node);

    /// <summary>A live node to evict, or null when the policy knows of none.</summary>
    MemoryNode? NextVictim();

    /// <summary>Drops bookkeeping of removed nodes when it has grown well beyond <paramref name="liveCount"/>.</summary>
    void Trim(int liveCount);
}
