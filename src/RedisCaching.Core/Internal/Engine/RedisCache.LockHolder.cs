using System;
using System.Threading;
using System.Threading.Tasks;
using StackExchange.Redis;

namespace RedisCaching.Internal.Engine;

/// <summary>The cross-process lock's holder side: run the factory, keep the lock while it runs, release by token.</summary>
internal sealed partial class RedisCache
{
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

    /// <param name="held">The acquisition.</param>
    /// <param name="expectHeld">False after an acquisition whose outcome is unknown: a lock that is not ours is then no news.</param>
    private async Task ReleaseLockAsync(HeldLock held, bool expectHeld = true)
    {
        try
        {
            var outcome = await CallRedisAsync(
                "UNLOCK",
                held,
                static (db, h) => RunReleaseScriptAsync(db, h),
                write: false,
                CancellationToken.None).ConfigureAwait(false);
            if (expectHeld && outcome.Ok && (long)outcome.Value == 0)
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
}
