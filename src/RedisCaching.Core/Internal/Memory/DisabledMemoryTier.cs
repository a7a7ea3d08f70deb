using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using StackExchange.Redis;

namespace RedisCaching.Internal.Memory;

/// <summary>The tier used when memory caching is switched off: it holds nothing and never needs invalidations.</summary>
internal sealed class DisabledMemoryTier : IMemoryTier
{
    public static readonly DisabledMemoryTier Instance = new();

    public CacheCoherenceMode Mode => CacheCoherenceMode.Disabled;

    public long Count => 0;

    public long Bytes => 0;

    public long Evictions => 0;

    public long InvalidationsReceived => 0;

    public long InvalidationsSent => 0;

    public bool TakesOwnWrites => false;

    public IDatabaseAsync WriteDatabase => throw new InvalidOperationException("A disabled memory tier has no write connection; write through the main connection.");

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public bool TryGet(string redisKey, out MemoryEntry entry)
    {
        entry = null!;
        return false;
    }

    public bool TryGet(string redisKey, long nowUnixMs, out MemoryEntry entry) => TryGet(redisKey, out entry);

    public bool TryGet(string redisKey, long nowUnixMs, long tickCount, out MemoryEntry entry) => TryGet(redisKey, out entry);

    public bool TryGetInSameRead(string redisKey, long nowUnixMs, out MemoryEntry entry) => TryGet(redisKey, out entry);

    public bool TryGetUnconfirmed(string redisKey, long nowUnixMs, out MemoryEntry entry) => TryGet(redisKey, out entry);

    /// <summary>Nothing is held, so there is nothing to vouch for.</summary>
    public bool IsLeaseHeld => true;

    public FillTicket BeginFill(string redisKey) => default;

    public bool CompleteFill(string redisKey, FillTicket ticket, MemoryEntry entry) => false;

    public bool CompleteOwnWrite(string redisKey, FillTicket ticket, MemoryEntry? entry) => false;

    public ValueTask AfterOwnWriteAsync(string redisKey, IDatabaseAsync via) => ValueTask.CompletedTask;

    public bool UsesBackplane => false;

    public ValueTask AfterForeignRemovalAsync(IReadOnlyList<string> redisKeys, IDatabaseAsync? via) => ValueTask.CompletedTask;

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    public void Dispose()
    {
    }
}
