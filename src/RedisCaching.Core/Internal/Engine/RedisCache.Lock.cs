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

    private Task<CacheResult<T>> RunFactoryUnderLockAsync<TState, T>(FlightRequest<TState, T> request, StoredValue<T>? stale, bool redisFailed)
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
            return RunFactoryAsync(request, stale);
        }

        return RunFactoryUnderLockSlowAsync(request, stale, wait);
    }

    private async Task<CacheResult<T>> RunFactoryUnderLockSlowAsync<TState, T>(FlightRequest<TState, T> request, StoredValue<T>? stale, TimeSpan wait)
    {
        var held = new HeldLock(_keys.Qualify(StampedeLock.KeyMarker + request.MemoryKey), StampedeLock.NewToken(), StampedeLock.Ttl(request.Resolved, wait, _redisTimeout));
        switch (await TryAcquireLockAsync(held).ConfigureAwait(false))
        {
            case LockAttempt.Acquired:
                return await RunAsLockHolderAsync(request, stale, held, recheck: !request.RefreshOnly).ConfigureAwait(false);
            case LockAttempt.Unavailable:
                return await RunFactoryAsync(request, stale).ConfigureAwait(false);
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

    /// <summary>
    /// Runs the factory while holding the lock. The factory may outlive this call (after a soft timeout the stale
    /// value is served and the factory finishes, and stores, in the background): the lock is then kept until it is
    /// done, so no other process starts the same work meanwhile.
    /// </summary>
    private async Task<CacheResult<T>> RunAsLockHolderAsync<TState, T>(FlightRequest<TState, T> request, StoredValue<T>? stale, HeldLock held, bool recheck)
    {
        Task? running = null;
        try
        {
            if (recheck)
            {
                // Our read missed before we took the lock; a holder may have stored and released in between. Not for
                // a refresh: it replaces a value that is still fresh.
                var read = await ReadAsync<T>(request.MemoryKey, request.Resolved, CancellationToken.None).ConfigureAwait(false);
                if (read.Value is { } value && value.IsFreshAt(NowUnixMs))
                {
                    LockCounters.ValueArrived();
                    return new CacheResult<T>(value.Value, value.Tier);
                }
            }

            var factory = request.Factory;
            var observed = request with
            {
                Factory = (state, context, cancellationToken) =>
                {
                    var pending = factory(state, context, cancellationToken);
                    if (pending.IsCompleted)
                    {
                        return pending;
                    }

                    var task = pending.AsTask();
                    running = task;
                    return new ValueTask<T>(task);
                },
            };
            return await RunFactoryAsync(observed, stale).ConfigureAwait(false);
        }
        finally
        {
            if (running is { IsCompleted: false } background)
            {
                _ = ReleaseLockWhenDoneAsync(background, held);
            }
            else
            {
                await ReleaseLockAsync(held).ConfigureAwait(false);
            }
        }
    }

    /// <summary>After a factory left running in the background: release once it ended and its store had its budget.</summary>
    private async Task ReleaseLockWhenDoneAsync(Task factory, HeldLock held)
    {
        try
        {
            await factory.ConfigureAwait(false);
        }
        catch (Exception)
        {
            // Observed (and logged) by the engine's background store; only its end matters here.
        }

        try
        {
            await Task.Delay(_redisTimeout + _redisTimeout, _time, _disposed.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Disposed: release now (or let the lock expire if Redis is gone too).
        }

        await ReleaseLockAsync(held).ConfigureAwait(false);
    }

    private async Task ReleaseLockAsync(HeldLock held)
    {
        try
        {
            var outcome = await CallRedisAsync(
                "UNLOCK",
                held,
                static (db, h) => RunReleaseScriptAsync(db, h),
                write: false,
                CancellationToken.None).ConfigureAwait(false);
            if (outcome.Ok && (long)outcome.Value == 0)
            {
                LockCounters.LostLock();
                Log.StampedeLockLost(_logger, held.Ttl);
            }
        }
        catch (CacheUnavailableException)
        {
            // ThrowOnRedisFailure: a release that failed is not the caller's problem; the lock expires by its TTL.
        }
    }

    private static async Task<RedisResult> RunReleaseScriptAsync(IDatabaseAsync database, HeldLock held)
    {
        RedisKey[] keys = [held.Key];
        RedisValue[] values = [held.Token];
        try
        {
            return await database.ScriptEvaluateAsync(StampedeLock.ReleaseScriptSha1, keys, values).ConfigureAwait(false);
        }
        catch (RedisServerException ex) when (ex.Message.StartsWith("NOSCRIPT", StringComparison.Ordinal))
        {
            return await database.ScriptEvaluateAsync(StampedeLock.ReleaseScript, keys, values).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Another process runs the factory: re-read the entry with back-off until its value arrives, the lock can be
    /// taken (its holder released it without a value, or died and it expired), Redis fails, or the wait is over.
    /// </summary>
    private async Task<CacheResult<T>> WaitForHolderAsync<TState, T>(FlightRequest<TState, T> request, StoredValue<T>? stale, HeldLock held, TimeSpan wait)
    {
        // With a stale value and a soft timeout, the caller would get that value after the soft timeout from its own
        // factory too: serve it then, and leave the work to the holder.
        var resolved = request.Resolved;
        var serveStaleAt = stale is not null && resolved.FactorySoftTimeout is { } soft && soft < wait ? soft : (TimeSpan?)null;
        var limit = serveStaleAt ?? wait;
        LockCounters.Wait();
        Log.StampedeLockWaiting(_logger, limit);
        var started = _time.GetTimestamp();
        var delay = StampedeLock.FirstPoll;
        while (true)
        {
            var remaining = limit - _time.GetElapsedTime(started);
            if (remaining <= TimeSpan.Zero)
            {
                break;
            }

            try
            {
                await Task.Delay(delay < remaining ? delay : remaining, _time, _disposed.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                break;
            }

            delay = StampedeLock.NextPoll(delay);
            var read = await ReadAsync<T>(request.MemoryKey, resolved, CancellationToken.None).ConfigureAwait(false);
            if (read.Value is { } value && value.IsFreshAt(NowUnixMs))
            {
                LockCounters.ValueArrived();
                Log.StampedeLockValueArrived(_logger, (long)_time.GetElapsedTime(started).TotalMilliseconds);
                return new CacheResult<T>(value.Value, value.Tier);
            }

            if (read.RedisFailed)
            {
                LockCounters.NotAvailable();
                Log.StampedeLockUnavailable(_logger);
                return await RunFactoryAsync(request, stale).ConfigureAwait(false);
            }

            switch (await TryAcquireLockAsync(held).ConfigureAwait(false))
            {
                case LockAttempt.Acquired:
                    return await RunAsLockHolderAsync(request, stale, held, recheck: true).ConfigureAwait(false);
                case LockAttempt.Unavailable:
                    return await RunFactoryAsync(request, stale).ConfigureAwait(false);
                default:
                    break;
            }
        }

        if (serveStaleAt is { } after && stale is { } fallback)
        {
            LockCounters.ServedStaleWhileWaiting();
            Log.StampedeLockWaitTimedOut(_logger, after, "stale value served");
            Counters.Stale();
            return new CacheResult<T>(fallback.Value, fallback.Tier, isStale: true);
        }

        LockCounters.WaitTimedOut();
        Log.StampedeLockWaitTimedOut(_logger, limit, "factory runs");
        return await RunFactoryAsync(request, stale).ConfigureAwait(false);
    }

    /// <summary>
    /// Another process is refreshing the entry. The refresh flight stays open a while (at most the wait, or the lock's
    /// lifetime), so hits on the old value do not retry the lock on every call; the new value reaches this process as
    /// an invalidation, or through the next Redis read.
    /// </summary>
    private async Task<CacheResult<T>> LeaveRefreshToHolderAsync<T>(TimeSpan holdFor)
    {
        LockCounters.LeftRefresh();
        Log.StampedeLockRefreshLeft(_logger);
        try
        {
            await Task.Delay(holdFor, _time, _disposed.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Disposed.
        }

        return default;
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
