using System;
using System.Threading;
using System.Threading.Tasks;
using StackExchange.Redis;

namespace RedisCaching.Internal.Engine;

/// <summary>
/// Stampede protection across processes, for entries that set <see cref="CacheEntryOptions.DistributedLockTimeout"/>.
/// It runs inside the single flight, after the Redis read missed: <c>SET lock token NX PX ttl</c>. The winner reads
/// once more (a holder may have stored and released between our read and our SET), runs the factory, stores, and
/// deletes the lock only if it still holds its token. The others re-read the entry with back-off, try the lock again
/// on each look (so a crashed holder delays them at most the lock's lifetime), and run the factory themselves when
/// their wait is over. Every call goes through <see cref="CallRedisAsync"/> (budget, breaker): when Redis cannot
/// answer there is no lock and the factory runs (fail-open), never a hang.
/// </summary>
internal sealed partial class RedisCache
{
    /// <summary>What the cross-process lock did (for tests and diagnostics).</summary>
    public LockCounters LockCounters { get; } = new();

    /// <summary>The Redis key of a cache key's stampede lock (for tests and tools).</summary>
    public string LockKeyOf(string key) => _keys.Qualify(StampedeLock.KeyMarker + _keys.ToMemoryKey(key));

    private ValueTask<CacheResult<T>> RunFactoryUnderLockAsync<TState, T>(FlightRequest<TState, T> request, StoredValue<T>? stale, bool redisFailed, Flight<T> flight)
    {
        var resolved = request.Resolved;
        if (resolved.DistributedLockTimeout is not { } wait

            // Redis just failed this flight's read: asking it for a lock would only spend another budget.
            || redisFailed

            // Other processes could not see our value through Redis, nor we theirs.
            || resolved.Skips(CacheSkip.RedisRead) || resolved.Skips(CacheSkip.RedisWrite)

            // The factory is throttled after a failure and the stale value is served without calling it.
            || (stale is not null && IsFactoryThrottled(request.MemoryKey)))
        {
            // Without the lock nobody else waits for our write to reach Redis: the caller may not have to either.
            return RunFactoryAsync(request, stale, flight);
        }

        return new ValueTask<CacheResult<T>>(RunFactoryUnderLockSlowAsync(request, stale, wait));
    }

    private async Task<CacheResult<T>> RunFactoryUnderLockSlowAsync<TState, T>(FlightRequest<TState, T> request, StoredValue<T>? stale, TimeSpan wait)
    {
        var held = new HeldLock(_keys.Qualify(StampedeLock.KeyMarker + request.MemoryKey), StampedeLock.NewToken(), StampedeLock.Ttl(request.Resolved, wait, _redisTimeout));
        switch (await TryAcquireLockAsync(held).ConfigureAwait(false))
        {
            case LockAttempt.Acquired:
                return await RunAsLockHolderAsync(request, stale, held, recheck: !request.RefreshOnly).ConfigureAwait(false);
            case LockAttempt.Unavailable:
                try
                {
                    return await RunFactoryAsync(request, stale).ConfigureAwait(false);
                }
                finally
                {
                    // The SET NX may have timed out and still landed: release it (a no-op when it is not ours, and
                    // skipped while the breaker is open), so no process waits out a lock nobody holds.
                    _ = ReleaseLockAsync(held, expectHeld: false);
                }

            default:
                return request.RefreshOnly
                    ? await LeaveRefreshToHolderAsync<T>(wait < held.Ttl ? wait : held.Ttl).ConfigureAwait(false)
                    : await WaitForHolderAsync(request, stale, held, wait).ConfigureAwait(false);
        }
    }

    private async ValueTask<LockAttempt> TryAcquireLockAsync(HeldLock held)
    {
        var outcome = await CallRedisAsync(
            "LOCK",
            held,
            static (db, h) => db.StringSetAsync(h.Key, h.Token, h.Ttl, When.NotExists),
            write: false,
            CancellationToken.None).ConfigureAwait(false);
        if (!outcome.Ok)
        {
            LockCounters.NotAvailable();
            Log.StampedeLockUnavailable(_logger);
            return LockAttempt.Unavailable;
        }

        if (outcome.Value)
        {
            LockCounters.Acquire();
            return LockAttempt.Acquired;
        }

        return LockAttempt.HeldElsewhere;
    }

    private enum LockAttempt
    {
        Acquired,
        HeldElsewhere,
        Unavailable,
    }

    /// <summary>One acquisition: the lock key, this acquisition's token, and the lock's lifetime.</summary>
    private sealed record HeldLock(string Key, string Token, TimeSpan Ttl);
}
