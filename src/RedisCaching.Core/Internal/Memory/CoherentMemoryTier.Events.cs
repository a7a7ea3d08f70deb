using System;
using System.Threading;
using System.Threading.Tasks;
using StackExchange.Redis;

namespace RedisCaching.Internal.Memory;

/// <summary>
/// Connection events and the re-enable loop. StackExchange.Redis raises ConnectionFailed/ConnectionRestored on its
/// own threads, for either connection type, in no guaranteed order, so every event only records a request (and
/// flushes); one loop at a time does the work, and the tier becomes coherent again only if no request arrived
/// while that loop was busy.
/// </summary>
internal sealed partial class CoherentMemoryTier
{
    private static readonly TimeSpan FirstRetryDelay = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan MaxRetryDelay = TimeSpan.FromSeconds(2);
    private readonly Lock _stateGate = new();
    private readonly SemaphoreSlim _wake = new(0, 1);
    private readonly TaskCompletionSource _firstAttempt = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _reenableRequests;
    private int _loopActive;
    private bool _everCoherent;
    private long _reenables;

    private void OnConnectionFailed(object? sender, ConnectionFailedEventArgs e)
    {
        Log.MemoryTierStreamLost(_logger, e.EndPoint?.ToString() ?? "?", e.ConnectionType, e.FailureType);
        RequestReenable("connection failed", flush: true);
    }

    private void OnConnectionRestored(object? sender, ConnectionFailedEventArgs e) =>
        RequestReenable("connection restored", flush: true);

    /// <summary>Goes Unavailable now and makes sure one loop re-establishes coherence.</summary>
    private void RequestReenable(string reason, bool flush)
    {
        lock (_stateGate)
        {
            _reenableRequests++;
            if (!_disposing.IsCancellationRequested)
            {
                SetMode(CacheCoherenceMode.Unavailable);
            }
        }

        if (flush)
        {
            // Invalidations sent while the stream was down are lost for good, so nothing held may survive.
            Flush(reason);
        }

        if (Interlocked.CompareExchange(ref _loopActive, 1, 0) == 0)
        {
            _ = Task.Run(() => ReenableLoopAsync(reason));
        }
        else if (_wake.CurrentCount == 0)
        {
            // Cut the running loop's back-off short: the event may well mean the server is back.
            try
            {
                _wake.Release();
            }
            catch (SemaphoreFullException)
            {
                // Another event woke it already.
            }
        }
    }

    private Task WaitForFirstAttemptAsync(CancellationToken cancellationToken) => _firstAttempt.Task.WaitAsync(cancellationToken);

    private async Task ReenableLoopAsync(string reason)
    {
        var token = _disposing.Token;
        var delay = FirstRetryDelay;
        string? lastFailure = null;
        while (!token.IsCancellationRequested)
        {
            long seen;
            lock (_stateGate)
            {
                seen = _reenableRequests;
            }

            CacheCoherenceMode? reached = null;
            try
            {
                reached = await EstablishAsync(token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (token.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex) when (ex is RedisException or TimeoutException or InvalidOperationException)
            {
                // Once per kind of failure in a row, not per retry (a server down for minutes, sentinels that do not
                // know the service yet): the mode and the health state say the rest. By kind, not message:
                // StackExchange.Redis's messages carry counters that change on every attempt.
                var failure = ex switch
                {
                    RedisConnectionException connectionFailure => $"{ex.GetType().FullName}: {connectionFailure.FailureType}",
                    RedisTimeoutException or TimeoutException => ex.GetType().FullName,
                    _ => $"{ex.GetType().FullName}: {ex.Message}",
                };
                if (failure != lastFailure)
                {
                    Log.MemoryTierEnableFailed(_logger, ex);
                    lastFailure = failure;
                }
            }

            if (reached is not null)
            {
                // Established: a failure after this one is news again.
                lastFailure = null;
            }

            if (reached is { } mode && TryBecomeCoherent(seen, mode, reason))
            {
                _firstAttempt.TrySetResult();
                Volatile.Write(ref _loopActive, 0);

                // A request that came after our check but before we cleared the flag found the loop "running".
                if (Interlocked.Read(ref _reenableRequests) == seen || Interlocked.CompareExchange(ref _loopActive, 1, 0) != 0)
                {
                    return;
                }

                delay = FirstRetryDelay;
                continue;
            }

            _firstAttempt.TrySetResult();
            if (reached is not null)
            {
                // A newer event arrived while we worked: go again at once.
                continue;
            }

            try
            {
                await _wake.WaitAsync(delay, token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                break;
            }

            delay = delay * 2 < MaxRetryDelay ? delay * 2 : MaxRetryDelay;
        }

        _firstAttempt.TrySetResult();
        Volatile.Write(ref _loopActive, 0);
    }

    private bool TryBecomeCoherent(long seen, CacheCoherenceMode mode, string reason)
    {
        bool first;
        lock (_stateGate)
        {
            if (_reenableRequests != seen || _disposing.IsCancellationRequested)
            {
                return false;
            }

            // Fills that began before the stream was (re)established may hold values whose invalidation we never
            // heard: the generation bump refuses them.
            Flush(_everCoherent ? "coherence re-established" : "coherence established");
            SetMode(mode);
            first = !_everCoherent;
            _everCoherent = true;
        }

        if (first)
        {
            Log.MemoryTierCoherent(_logger, mode, _trackingPrefix);
        }
        else
        {
            Interlocked.Increment(ref _reenables);
            Log.MemoryTierReenabled(_logger, mode, reason);
        }

        return true;
    }

    private async Task<CacheCoherenceMode> EstablishAsync(CancellationToken token)
    {
        EnsureNoSentinelFailover();
        await FollowSentinelPrimaryAsync(token).ConfigureAwait(false);
        if (!_backplaneActive)
        {
            try
            {
                await EnableTrackingAsync(token).ConfigureAwait(false);
                return CacheCoherenceMode.Tracking;
            }
            catch (RedisServerException ex) when (IsRefusal(ex))
            {
                _backplaneActive = true;
                Log.MemoryTierFallbackToBackplane(_logger, ex.Message);
            }
        }

        await EnableBackplaneAsync().ConfigureAwait(false);
        return CacheCoherenceMode.Backplane;
    }

    private static bool IsRefusal(RedisServerException ex) =>
        CommandRefusal.IsRefusedForGood(ex.Message) || ex.Message.Contains("unknown subcommand", StringComparison.OrdinalIgnoreCase);
}
