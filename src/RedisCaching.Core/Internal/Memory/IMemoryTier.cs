using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using StackExchange.Redis;

namespace RedisCaching.Internal.Memory;

/// <summary>
/// The in-process tier (L1), kept coherent with Redis. Keys are memory keys, never anything else: a caller's key that
/// passed the key rules, the hashed form of a long one (<c>CacheKeyBuilder.ToMemoryKey</c>), or an internal key starting
/// with <c>!</c>. The engine's reads ask memory before the key rules on that promise
/// (<c>CacheKeyBuilder.MayAskMemoryFirst</c>): an entry stored under any other string would bypass them. The engine
/// reads with <see cref="TryGet(string, out MemoryEntry)"/>; before it asks Redis for a key it takes a <see cref="FillTicket"/>, and after
/// the reply it offers the entry with <see cref="CompleteFill"/>, which stores it only if no invalidation for that
/// key (and no flush) happened in between, so a fill can never resurrect a value Redis no longer holds.
/// </summary>
internal interface IMemoryTier : IAsyncDisposable, IDisposable
{
    /// <summary>How coherence is currently guaranteed; while it is not, the tier holds nothing.</summary>
    CacheCoherenceMode Mode { get; }

    /// <summary>Starts the invalidation stream (tracking, or the backplane where tracking is refused).</summary>
    Task StartAsync(CancellationToken cancellationToken);

    /// <summary>Reads an entry that is present, coherent and not past its hard expiry.</summary>
    bool TryGet(string redisKey, out MemoryEntry entry);

    /// <summary>Like <see cref="TryGet(string, out MemoryEntry)"/> with the caller's clock reading, so a hit reads the clock once.</summary>
    bool TryGet(string redisKey, long nowUnixMs, out MemoryEntry entry);

    /// <summary>
    /// Like <see cref="TryGet(string, long, out MemoryEntry)"/> with the caller's <see cref="Environment.TickCount64"/>
    /// too, read just before: the memory-hit path reads the tick once for its clock and the staleness lease (each read
    /// costs a few ns, a tenth of a hit).
    /// </summary>
    bool TryGet(string redisKey, long nowUnixMs, long tickCount, out MemoryEntry entry);

    /// <summary>
    /// Like <see cref="TryGet(string, long, out MemoryEntry)"/> while the staleness bound cannot vouch for the tier
    /// (<see cref="IsLeaseHeld"/> false): the entry may be older than the bound allows, so it must not be served as
    /// fresh, only kept as a fail-safe fallback in case Redis cannot be asked.
    /// </summary>
    bool TryGetUnconfirmed(string redisKey, long nowUnixMs, out MemoryEntry entry);

    /// <summary>Whether the staleness bound (<see cref="MemoryTierOptions.MaxStaleness"/>) currently vouches for memory hits.</summary>
    bool IsLeaseHeld { get; }

    /// <summary>
    /// Like <see cref="TryGet(string, long, out MemoryEntry)"/>, for lookups that belong to a read that has just called
    /// it (a tagged entry's token keys): the invalidations that had arrived were applied by that call, so they are not
    /// looked for once per tag again.
    /// </summary>
    bool TryGetInSameRead(string redisKey, long nowUnixMs, out MemoryEntry entry);

    /// <summary>Marks the start of a read or write of <paramref name="redisKey"/> against Redis.</summary>
    FillTicket BeginFill(string redisKey);

    /// <summary>Stores <paramref name="entry"/> unless <paramref name="redisKey"/> was invalidated (or the tier flushed) since <paramref name="ticket"/> was taken.</summary>
    /// <returns>Whether the entry was stored.</returns>
    bool CompleteFill(string redisKey, FillTicket ticket, MemoryEntry entry);

    /// <summary>
    /// After our own write of <paramref name="redisKey"/> reached Redis: invalidates every other fill in flight for the
    /// key (they may carry the value we just replaced, and our write through the NOLOOP connection sends us no
    /// invalidation), then stores <paramref name="entry"/> unless another client's invalidation arrived since
    /// <paramref name="ticket"/> (taken before the write) or <paramref name="entry"/> is null (a remove).
    /// </summary>
    /// <returns>Whether the entry was stored.</returns>
    bool CompleteOwnWrite(string redisKey, FillTicket ticket, MemoryEntry? entry);

    /// <summary>
    /// The database our own writes go through. In tracking mode it is the tracked connection with NOLOOP, so our
    /// writes do not invalidate the entry we are about to store, while every other client's writes do.
    /// </summary>
    IDatabaseAsync WriteDatabase { get; }

    /// <summary>
    /// Whether our writes go through <see cref="WriteDatabase"/> now (coherent, and its connection is where our writes
    /// belong). False on Sentinel, where only the main connection is held off during a failover (a write to the primary
    /// about to be demoted would be lost), and on a cluster, where tracking runs on per-node connections (see
    /// CoherentMemoryTier.Sentinel.cs and .Cluster.cs): writes take the main connection, and Redis then also tells us of
    /// our own writes, which only drops entries (safe).
    /// </summary>
    bool TakesOwnWrites { get; }

    /// <summary>
    /// Called after each of our writes or removes of <paramref name="redisKey"/> reached Redis: the backplane publishes
    /// it (tracking needs nothing) through <paramref name="via"/>, the connection the write took, so the message reaches
    /// the node that took the write even while this tier's own connection is down or still on a node a failover left behind.
    /// </summary>
    ValueTask AfterOwnWriteAsync(string redisKey, IDatabaseAsync via);

    /// <summary>
    /// Whether coherence relies on the backplane: then every write of ours must be published, also while the tier
    /// itself is down (the other instances hear of it from nobody else).
    /// </summary>
    bool UsesBackplane { get; }

    /// <summary>
    /// After another connection removed or changed <paramref name="redisKeys"/> (full Redis keys) in Redis: drops them
    /// here at once, and in backplane mode tells every other instance in one message (tracking needs nothing: Redis
    /// tells every instance).
    /// On the backplane the message goes through <paramref name="via"/> (the connection that removed them), also
    /// while this tier's own connection is down.
    /// </summary>
    ValueTask AfterForeignRemovalAsync(IReadOnlyList<string> redisKeys, IDatabaseAsync? via);

    /// <summary>Entries currently held.</summary>
    long Count { get; }

    /// <summary>Bytes held (the entries' serialized sizes), for the L1 bytes gauge.</summary>
    long Bytes { get; }

    /// <summary>Entries evicted because a bound was reached.</summary>
    long Evictions { get; }

    /// <summary>Invalidation messages received and applied.</summary>
    long InvalidationsReceived { get; }

    /// <summary>Invalidation messages this tier published on the backplane (none under tracking: Redis sends them).</summary>
    long InvalidationsSent { get; }
}
