using System;
using System.Threading;
using System.Threading.Tasks;

namespace RedisCaching.Internal.Engine;

/// <summary>The cross-process lock's waiting side: look for the holder's value, take over the lock, or give up in time.</summary>
internal sealed partial class RedisCache
{
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
            Counters.Stale(fallback.Tier);
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
}
