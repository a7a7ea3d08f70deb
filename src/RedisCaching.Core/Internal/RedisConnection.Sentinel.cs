using System;
using System.Collections.Generic;
using System.Net;
using System.Threading;
using System.Threading.Tasks;
using StackExchange.Redis;

namespace RedisCaching.Internal;

/// <summary>
/// Following a sentinel failover without losing acknowledged writes (see <see cref="SentinelWatch"/> for why
/// StackExchange.Redis alone keeps writing to the old primary). From the moment the leading sentinel starts promoting
/// a replica until every multiplexer sends to the new primary, <see cref="GetMultiplexerAsync"/> refuses with a
/// <see cref="RedisConnectionException"/>, which the cache treats as any Redis failure (fail-safe, breaker, typed
/// exception). A multiplexer that still routes to the old primary is replaced by a fresh one on the new primary.
/// </summary>
internal sealed partial class RedisConnection
{
    // The sentinels in the test topology switch about 1.2 s after they start; a failover that names no new primary
    // within this was given up (or cannot be followed), and calls resume rather than fail for ever.
    private static TimeSpan MaxHoldOff => SentinelWatch.MaxFailoverDuration;

    // Calls already running on a replaced multiplexer end within their budgets (far shorter); then it is closed.
    private static readonly TimeSpan ReplacedMultiplexerGrace = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan ReconnectPause = TimeSpan.FromMilliseconds(200);

    private readonly SemaphoreSlim _following = new(1, 1);
    private readonly List<IConnectionMultiplexer> _replaced = [];
    private SentinelWatch? _sentinelWatch;
    private long _heldOffSince;

    /// <summary>Whether calls are held off because a sentinel failover is being followed (for tests and health).</summary>
    internal bool HeldOffForFailover => Volatile.Read(ref _heldOffSince) != 0;

    /// <summary>
    /// On Sentinel, the primary the sentinels name, from our own watch (created and started on the first connect): the
    /// multiplexers then connect to it as a plain server (see <see cref="SentinelWatch.DirectTo"/>), with the sentinels'
    /// configuration built for this connect. Both null off Sentinel; the primary null when no sentinel named one: the connect
    /// then fails with the reason (never StackExchange.Redis's sentinel mode), and the next call asks the watch again.
    /// </summary>
    private async Task<(ConfigurationOptions? Sentinels, EndPoint? Primary)> FindSentinelPrimaryAsync(RedisConnectionOptions options)
    {
        var configuration = ConfigurationOptionsBuilder.Build(options, _certificates);
        if (configuration.ServiceName is not { Length: > 0 })
        {
            return (null, null);
        }

        SentinelWatch watch;
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_sentinelWatch is null)
            {
                // Events first: a failover that starts while we connect must still hold calls off and be followed.
                _sentinelWatch = new SentinelWatch(configuration, _logger, _time);
                _sentinelWatch.FailoverStarting += OnFailoverStarting;
                _sentinelWatch.FailoverAborted += OnFailoverAborted;
                _sentinelWatch.PrimaryChanged += primary => _ = FollowPrimaryAsync(primary);
            }

            watch = _sentinelWatch;
        }

        await watch.StartAsync().ConfigureAwait(false);
        return (configuration, watch.Primary);
    }

    /// <summary>A switch announced while we connected found no multiplexers to replace: follow it now.</summary>
    private void FollowIfSwitchedWhileConnecting(EndPoint? connectedTo)
    {
        if (connectedTo is not null && _sentinelWatch?.Primary is { } primary && !SentinelWatch.SameNode(primary, connectedTo))
        {
            _ = FollowPrimaryAsync(primary);
        }
    }

    private string ServiceName => _sentinelWatch?.ServiceName ?? "?";

    private void HoldOff()
    {
        if (Interlocked.CompareExchange(ref _heldOffSince, Math.Max(1, _time.GetTimestamp()), 0) == 0)
        {
            Log.SentinelFailoverStarted(_logger, ServiceName);
        }
    }

    private void OnFailoverStarting()
    {
        HoldOff();
        ClearLateHoldOff();
    }

    /// <summary>
    /// Ends a hold-off raised by a late start: the watch adopted the new primary (which ends its failover) after marking
    /// the start and before raising it, and the follow may be done already. Then nothing but MaxHoldOff would end the
    /// hold-off on the primary we already send to. Called after each start and after each follow: a start raised while
    /// a follow holds the lock (after it cleared the hold-off, before it let go) is cleared by the follow's own check.
    /// </summary>
    private void ClearLateHoldOff()
    {
        if (Volatile.Read(ref _heldOffSince) != 0
            && _sentinelWatch is { AdoptedSinceFailoverMarked: true, Primary: { } primary }
            && _following.CurrentCount != 0
            && Volatile.Read(ref _multiplexers) is { Length: > 0 } current
            && Array.TrueForAll(current, m => SentinelWatch.RoutesTo(m, primary))
            && Interlocked.Exchange(ref _heldOffSince, 0) != 0)
        {
            Log.SentinelPrimaryFollowed(_logger, ServiceName, primary.ToString() ?? "?", 0);
        }
    }

    private void OnFailoverAborted()
    {
        // A follow under way (a promotion was seen) ends the hold-off itself, once calls can reach the new primary.
        if (_following.CurrentCount == 0)
        {
            return;
        }

        if (Interlocked.Exchange(ref _heldOffSince, 0) != 0)
        {
            Log.SentinelFailoverAbandoned(_logger, ServiceName, "the sentinels aborted it; calls resume on the current primary");
        }
    }

    /// <summary>The slow path of <see cref="GetMultiplexerAsync"/> while a failover is followed.</summary>
    private ValueTask<IConnectionMultiplexer> HeldOffOrPick(IConnectionMultiplexer[] multiplexers)
    {
        var since = Volatile.Read(ref _heldOffSince);
        if (since != 0 && _time.GetElapsedTime(since) < MaxHoldOff)
        {
            return ValueTask.FromException<IConnectionMultiplexer>(new RedisConnectionException(
                ConnectionFailureType.UnableToConnect,
                CommandFlags.None,
                $"The sentinels are failing over '{ServiceName}': Redis calls wait for the new primary, so that no write is acknowledged by the old one and then lost."));
        }

        if (since != 0 && _sentinelWatch?.Primary is { } primary && Array.Exists(multiplexers, m => !SentinelWatch.RoutesTo(m, primary)))
        {
            // The sentinels name a primary we do not send to: resuming would write to a node whose writes are lost at
            // its demotion. Calls keep failing (the cache degrades) while the follow is tried again.
            Interlocked.Exchange(ref _heldOffSince, Math.Max(1, _time.GetTimestamp()));
            Log.SentinelFailoverAbandoned(_logger, ServiceName, $"{primary} could not be connected within {MaxHoldOff.TotalSeconds:0} s; calls stay held off while it is tried again");
            _ = FollowPrimaryAsync(primary);
            return HeldOffOrPick(multiplexers);
        }

        if (since != 0 && Interlocked.CompareExchange(ref _heldOffSince, 0, since) == since)
        {
            Log.SentinelFailoverAbandoned(_logger, ServiceName, $"no new primary named within {MaxHoldOff.TotalSeconds:0} s; calls resume on the current primary");
        }

        return new ValueTask<IConnectionMultiplexer>(Pick(multiplexers));
    }

    private async Task FollowPrimaryAsync(EndPoint primary)
    {
        HoldOff();
        await _following.WaitAsync().ConfigureAwait(false);
        try
        {
            // Serialized: a later switch waits here, and an earlier one finding itself superseded leaves it to the later.
            if (_disposed || !SentinelWatch.SameNode(_sentinelWatch?.Primary, primary))
            {
                return;
            }

            var current = Volatile.Read(ref _multiplexers) ?? [];
            var next = (IConnectionMultiplexer[])current.Clone();
            var replacements = new List<IConnectionMultiplexer>();
            for (var i = 0; i < next.Length; i++)
            {
                if (SentinelWatch.RoutesTo(next[i], primary))
                {
                    continue;
                }

                if (await ConnectRoutedAsync(primary).ConfigureAwait(false) is not { } replacement)
                {
                    // Superseded by a newer primary, or this one cannot be reached: calls stay held off until a later
                    // follow succeeds or MaxHoldOff ends it.
                    _ = CloseLaterAsync(replacements, immediately: true);
                    return;
                }

                next[i] = replacement;
                replacements.Add(replacement);
            }

            if (replacements.Count > 0)
            {
                Swap(current, next);
            }

            var since = Interlocked.Exchange(ref _heldOffSince, 0);
            Log.SentinelPrimaryFollowed(_logger, ServiceName, primary.ToString() ?? "?", since == 0 ? 0 : (long)_time.GetElapsedTime(since).TotalMilliseconds);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException or ObjectDisposedException or InvalidOperationException)
        {
            // Calls stay held off until MaxHoldOff; a later switch or poll tries again.
            Log.SentinelWatchFailed(_logger, ServiceName, ex.Message);
        }
        finally
        {
            _following.Release();

            // A start raised late while this follow held the lock found it held and left the hold-off to us (a full
            // fence first: our read of the hold-off must not move before the release its check read).
            Interlocked.MemoryBarrier();
            ClearLateHoldOff();
        }
    }

    /// <summary>
    /// A fresh multiplexer on <paramref name="primary"/> alone, or null when none connects within <see cref="MaxHoldOff"/>.
    /// Not through the sentinels: a sentinel that has not heard of the switch yet would name the old primary (dead after
    /// a SIGKILL: a connect timeout per try), and the old primary, still calling itself primary, would be elected again.
    /// Later switches are followed by the watch, which replaces this one the same way.
    /// </summary>
    private async Task<IConnectionMultiplexer?> ConnectRoutedAsync(EndPoint primary)
    {
        var startedAt = _time.GetTimestamp();
        while (!_disposed && _time.GetElapsedTime(startedAt) < MaxHoldOff && SentinelWatch.SameNode(_sentinelWatch?.Primary, primary))
        {
            var configuration = SentinelWatch.DirectTo(ConfigurationOptionsBuilder.Build(_options!, _certificates), primary);
            configuration.ConnectionAttemptCompleted += OnConnectionAttemptCompleted;
            configuration.AbortOnConnectFail = true;
            configuration.ConnectTimeout = Math.Min(configuration.ConnectTimeout, 1000);
            try
            {
                // Fails fast rather than returning a multiplexer that retries in the background: a node just promoted
                // (its clients killed by the sentinel) may refuse the first attempt, and the next one is ours to time.
                var multiplexer = await ConnectionMultiplexer.ConnectAsync(configuration).ConfigureAwait(false);
                if (SentinelWatch.RoutesTo(multiplexer, primary))
                {
                    return multiplexer;
                }

                await multiplexer.DisposeAsync().ConfigureAwait(false);
            }
            catch (RedisConnectionException)
            {
                // Tried again below, while the sentinels still name this primary.
            }

            await Task.Delay(ReconnectPause, _time).ConfigureAwait(false);
        }

        return null;
    }

    private void Swap(IConnectionMultiplexer[] current, IConnectionMultiplexer[] next)
    {
        var retired = new List<IConnectionMultiplexer>();
        lock (_gate)
        {
            if (_disposed || !ReferenceEquals(_multiplexers, current))
            {
                // Disposed meanwhile: the replacements are ours alone to close.
                retired.AddRange(Array.FindAll(next, m => Array.IndexOf(current, m) < 0));
            }
            else
            {
                Volatile.Write(ref _multiplexers, next);
                retired.AddRange(Array.FindAll(current, m => Array.IndexOf(next, m) < 0));
                _replaced.AddRange(retired);
                foreach (var multiplexer in next)
                {
                    if (Array.IndexOf(current, multiplexer) < 0)
                    {
                        Attach(multiplexer);
                    }
                }

                foreach (var multiplexer in retired)
                {
                    Detach(multiplexer);
                }

                _ = CloseLaterAsync(retired);
                return;
            }
        }

        _ = CloseLaterAsync(retired, immediately: true);
    }

    private async Task CloseLaterAsync(List<IConnectionMultiplexer> retired, bool immediately = false)
    {
        if (!immediately)
        {
            await Task.Delay(ReplacedMultiplexerGrace, _time).ConfigureAwait(false);
        }

        foreach (var multiplexer in retired)
        {
            lock (_gate)
            {
                _replaced.Remove(multiplexer);
            }

            await multiplexer.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>The watch and the multiplexers replaced less than the grace ago, for dispose.</summary>
    private (SentinelWatch? Watch, IConnectionMultiplexer[] Replaced) TakeSentinelLeftovers()
    {
        lock (_gate)
        {
            var leftovers = (_sentinelWatch, _replaced.ToArray());
            _replaced.Clear();
            _sentinelWatch = null;
            return leftovers;
        }
    }
}
