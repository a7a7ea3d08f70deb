using System;
using System.Threading;

namespace RedisCaching.Internal.Memory;

/// <summary>Entries, fill tickets and invalidation versions.</summary>
internal sealed partial class CoherentMemoryTier
{
    private readonly MemoryStore _store;
    private readonly InvalidationVersions _versions = new();

    /// <summary>Makes "check for foreign invalidations, then bump for our own write" atomic against incoming invalidations.</summary>
    private readonly Lock[] _writeLocks = CreateLocks(64);
    private long _generation;
    private long _invalidationsReceived;
    private long _flushes;

    public bool TryGet(string redisKey, out MemoryEntry entry) =>
        TryGet(redisKey, _timeProvider.GetUtcNow().ToUnixTimeMilliseconds(), out entry);

    public bool TryGet(string redisKey, long nowUnixMs, out MemoryEntry entry) =>
        TryGet(redisKey, nowUnixMs, Environment.TickCount64, out entry);

    public bool TryGet(string redisKey, long nowUnixMs, long tickCount, out MemoryEntry entry)
    {
        // The lease first. What it vouches for was applied before it was extended (the ping reply drains and waits
        // for marked drainers first); the drain below applies what arrived since, so a change is seen once parsed.
        var leased = LeaseHolds(tickCount);
        ApplyArrivedInvalidations();
        if (!TryGetInSameRead(redisKey, nowUnixMs, out entry))
        {
            return false;
        }

        // A memory-only entry has no Redis copy that could be fresher: it needs no lease.
        if (leased || entry.LocalOnly)
        {
            return true;
        }

        Interlocked.Increment(ref _leaseRefusals);
        entry = null!;
        return false;
    }

    public bool TryGetUnconfirmed(string redisKey, long nowUnixMs, out MemoryEntry entry)
    {
        ApplyArrivedInvalidations();
        return TryGetInSameRead(redisKey, nowUnixMs, out entry);
    }

    public bool TryGetInSameRead(string redisKey, long nowUnixMs, out MemoryEntry entry)
    {
        if (!IsCoherent(Mode))
        {
            entry = null!;
            return false;
        }

        return _store.TryGet(redisKey, nowUnixMs, out entry);
    }

    public FillTicket BeginFill(string redisKey)
    {
        ApplyArrivedInvalidations();
        return TicketNow();
    }

    /// <summary>A fill ticket from the current generation and versions, applying nothing first.</summary>
    private FillTicket TicketNow()
    {
        // Generation first: a flush between the two reads then shows as a changed generation at CompleteFill.
        var generation = Interlocked.Read(ref _generation);
        return new FillTicket(generation, _versions.Current);
    }

    public bool CompleteFill(string redisKey, FillTicket ticket, MemoryEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);

        // An invalidation Redis already delivered must refuse this fill now, not whenever a drainer gets to it.
        ApplyArrivedInvalidations();
        if (!IsCoherent(Mode) || !StillValid(redisKey, ticket))
        {
            return false;
        }

        var now = _timeProvider.GetUtcNow();
        var backstop = now + _options.MaxEntryLifetime;
        var expiresAt = entry.HardExpiresAt < backstop ? entry.HardExpiresAt : backstop;
        if (expiresAt <= now)
        {
            return false;
        }

        var node = _store.Set(redisKey, entry, expiresAt);
        if (node is null)
        {
            return false;
        }

        // An invalidation or flush may have run between the check and the insert without seeing our node:
        // invalidations bump the version before they remove, so looking again after the insert closes that gap.
        if (!StillValid(redisKey, ticket) || !IsCoherent(Mode))
        {
            _store.RemoveNode(node);
            return false;
        }

        return true;
    }

    public bool CompleteOwnWrite(string redisKey, FillTicket ticket, MemoryEntry? entry)
    {
        FillTicket afterOurWrite;
        bool noForeignInvalidation;
        ApplyArrivedInvalidations();
        if (IsFlushKey(redisKey))
        {
            // Our own new generation: every entry we hold belongs to the old one (the ticket is void now too).
            Flush(GenerationChanged);
        }

        lock (WriteLock(redisKey))
        {
            // Another client's invalidation since the ticket means our value may already be older than Redis's.
            noForeignInvalidation = StillValid(redisKey, ticket);

            // Our own bump refuses every other fill in flight for this key: they may carry the value we replaced,
            // and our write (NOLOOP) brings us no invalidation that would refuse them.
            _versions.Bump(redisKey);
            _store.Remove(redisKey);

            // Not BeginFill: its drain would take another key's write lock while we hold this one, and two writers
            // draining each other's keys would wait for each other forever. Drained above; CompleteFill drains again.
            afterOurWrite = TicketNow();
        }

        return noForeignInvalidation && entry is not null && CompleteFill(redisKey, afterOurWrite, entry);
    }

    private Lock WriteLock(string redisKey) => _writeLocks[(int)((uint)StringComparer.Ordinal.GetHashCode(redisKey) % (uint)_writeLocks.Length)];

    private static Lock[] CreateLocks(int count)
    {
        var locks = new Lock[count];
        for (var i = 0; i < count; i++)
        {
            locks[i] = new Lock();
        }

        return locks;
    }

    private bool StillValid(string redisKey, FillTicket ticket) =>
        Interlocked.Read(ref _generation) == ticket.Generation && !_versions.ChangedSince(redisKey, ticket.KeyVersion);

    /// <summary>
    /// Maps a Redis key from an invalidation to the key entries are stored under, or null for a key outside this
    /// cache's key space. The engine stores entries under its short keys (so a hit needs no key string built).
    /// </summary>
    public Func<string, string?> KeyOfRedisKey { get; init; } = static redisKey => redisKey;

    /// <summary>
    /// The memory key whose change empties the whole tier: the key space's generation token
    /// (<see cref="CacheKeyOptions.Generations"/>), since every entry held belongs to the generation it replaces.
    /// </summary>
    public string? FlushKey { get; init; }

    private const string GenerationChanged = "key space generation changed";

    private bool IsFlushKey(string memoryKey) => FlushKey is { } flushKey && string.Equals(memoryKey, flushKey, StringComparison.Ordinal);

    /// <summary>An invalidation from Redis (tracking) or from another instance (backplane).</summary>
    private void Invalidate(string redisKeyFromServer)
    {
        if (Drop(redisKeyFromServer))
        {
            // Counted once it took effect, so whoever watches the counter sees the entry gone.
            Interlocked.Increment(ref _invalidationsReceived);
        }
    }

    /// <summary>Drops the entry of a Redis key and refuses fills of it in flight; false for a key outside the cache's key space.</summary>
    private bool Drop(string redisKey)
    {
        if (KeyOfRedisKey(redisKey) is not { } memoryKey)
        {
            return false;
        }

        if (IsFlushKey(memoryKey))
        {
            Flush(GenerationChanged);
            return true;
        }

        lock (WriteLock(memoryKey))
        {
            _versions.Bump(memoryKey);
        }

        _store.Remove(memoryKey);
        return true;
    }

    /// <summary>Empties the tier and refuses every fill that began before.</summary>
    private void Flush(string reason)
    {
        RevokeLease();
        Interlocked.Increment(ref _generation);
        Interlocked.Increment(ref _flushes);
        var dropped = _store.Clear();
        Log.MemoryTierFlushed(_logger, reason, dropped);
    }
}
