using System;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Threading;
using System.Threading.Tasks;
using StackExchange.Redis;

namespace RedisCaching.Internal.Memory;

/// <summary>
/// The staleness bound (<see cref="MemoryTierOptions.MaxStaleness"/>): memory hits are served only while a recent
/// ping on the invalidation connection proves that every invalidation Redis sent before it has been read.
/// </summary>
/// <remarks>
/// Why a ping proves it: Redis writes an invalidation (tracking redirect or backplane message) to our subscription
/// connection while it executes the write, before the writer gets its reply; a PING sent on that connection later is
/// answered after it, and StackExchange.Redis parses replies in order, putting each invalidation into the inbox as it
/// is parsed. So when the reply to a ping issued at time t has been parsed, every write acknowledged before t is in
/// the inbox, and each memory read drains the inbox before it looks (reading the lease first, so the drain sees what
/// the lease promises). A hit at time now is accepted only if now is within the bound of the issue time of the last
/// answered ping: whatever write it misses was acknowledged less than the bound ago.
/// Pings are pipelined: one is sent every interval without waiting for the last reply, each reply extending the lease
/// from its own issue time. With one ping in flight at a time the lease lapsed whenever two replies plus the interval
/// took longer than the bound (a loaded box: every lapse turns memory hits into Redis reads); now it lapses only when
/// one reply takes longer than the bound minus the interval. A lease revoked (flush, lost connection) is never
/// extended again by a reply to a ping sent before the revocation.
/// Clock: <see cref="Environment.TickCount64"/> (about 5 ns, the wall clock costs 30): it moves in coarse steps, lags
/// true time by less than one step, so the lease ends one step early. Pings run on a thread of their own (a starved
/// thread pool is the very case this guards against); waiting for a reply blocks only that thread.
/// </remarks>
internal sealed partial class CoherentMemoryTier
{
    /// <summary>How long after the last memory read the pings stop (an idle instance costs Redis nothing).</summary>
    private const long IdleAfterMs = 1000;

    /// <summary>How long the cluster's pings (sent as one round) may take before the next round is sent (a late reply still counts only for its own issue time).</summary>
    private static readonly TimeSpan PingWait = TimeSpan.FromSeconds(1);

    /// <summary>Pings unanswered at once beyond which no more are sent: a stalled connection, where the lease runs out anyway.</summary>
    private const int MaxPingsInFlight = 8;

    /// <summary>Orders extensions against revocations, so a reply to a ping sent before a revocation never extends the lease after it.</summary>
    private readonly Lock _leaseLock = new();

    /// <summary>TickCount64 before which a hit may be served; long.MaxValue when the bound is off.</summary>
    private long _leaseUntilTick;

    /// <summary>TickCount64 of a recent memory read (updated at most every few ms), so the pinger knows it is needed.</summary>
    private long _lastReadTick;

    private long _leaseRefusals;
    private long _pings;
    private long _pingsSent;
    private long _leaseWindowMs;
    private long _pingIntervalMs;
    private Thread? _pinger;
    private int _pingsInFlight;

    /// <summary>Bumped by every revocation; a ping's reply extends the lease only if none happened since it was sent.</summary>
    private long _leaseEpoch;

    /// <summary>Set once the server refused the ping for good: the bound cannot be kept there and is off.</summary>
    private volatile bool _leaseUnavailable;

    /// <summary>Memory hits refused because no recent ping proved the invalidations read (each went to Redis instead).</summary>
    public long LeaseRefusals => Interlocked.Read(ref _leaseRefusals);

    /// <summary>Pings answered on the invalidation connection.</summary>
    public long LeasePings => Interlocked.Read(ref _pings);

    /// <summary>
    /// Pings sent on a single node's invalidation connection, counted before each is sent: once <see cref="LeasePings"/>
    /// exceeds a value read here, a ping sent after that read was answered (replies come in order; a failed one only
    /// delays that).
    /// </summary>
    public long LeasePingsSent => Interlocked.Read(ref _pingsSent);

    /// <summary>Whether a memory hit may be served now (see the class remarks); also tells the pinger reads are happening.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private bool LeaseHolds(long tick)
    {
        if (tick - Volatile.Read(ref _lastReadTick) > 4)
        {
            Volatile.Write(ref _lastReadTick, tick);
        }

        return tick < Volatile.Read(ref _leaseUntilTick);
    }

    /// <summary>Whether the lease holds now, without counting a refusal (the engine asks before keeping an unconfirmed copy).</summary>
    public bool IsLeaseHeld => Environment.TickCount64 < Volatile.Read(ref _leaseUntilTick);

    private void StartLease()
    {
        if (_options.MaxStaleness == Timeout.InfiniteTimeSpan)
        {
            Volatile.Write(ref _leaseUntilTick, long.MaxValue);
            return;
        }

        _pinger = new Thread(static state => ((CoherentMemoryTier)state!).PingLoop())
        {
            IsBackground = true,
            Name = "RedisCaching L1 lease",
            Priority = ThreadPriority.AboveNormal,
        };
        _pinger.Start(this);
    }

    private void PingLoop()
    {
        // The lease ends one clock step early (the tick lags true time by less than a step).
        _leaseWindowMs = Math.Max(1, (long)_options.MaxStaleness.TotalMilliseconds - MeasureTickStepMs());
        _pingIntervalMs = Math.Max(1, _leaseWindowMs / 3);
        var stopping = _disposing.Token;
        while (!stopping.IsCancellationRequested)
        {
            var issued = Environment.TickCount64;
            var idle = issued - Volatile.Read(ref _lastReadTick) > IdleAfterMs;
            try
            {
                // This thread is the inboxes' drainer when no read comes (CoherentMemoryTier.Inbox.cs).
                ApplyArrivedInvalidations();
                if (!idle && !_leaseUnavailable && IsCoherent(Mode) && _multiplexer is { } multiplexer)
                {
                    if (!_onCluster || _backplaneActive)
                    {
                        SendPing(multiplexer, issued);
                    }
                    else
                    {
                        PingClusterRound(issued, stopping);
                    }
                }
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                // A dedicated thread: an exception here (a throwing logger provider while a flush logs) would end the
                // process. The lease runs out by itself meanwhile; the next turn tries again.
                Log.MemoryTierLeaseTurnFailed(_logger, ex);
            }

            stopping.WaitHandle.WaitOne(TimeSpan.FromMilliseconds(idle ? Math.Max(_pingIntervalMs, 10) : _pingIntervalMs));
        }
    }

    /// <summary>
    /// Sends a ping on the subscription connection (where the invalidations arrive) without waiting for it; its reply
    /// extends the lease (<see cref="OnPingAnswered"/>). StackExchange.Redis sends PING there, or UNSUBSCRIBE of a
    /// channel nobody subscribed where the server cannot PING in subscriber mode (either reply is ordered after the
    /// pushes before it). Garnet answers PING there too. On a cluster see <see cref="PingClusterNodes"/>.
    /// </summary>
    private void SendPing(ConnectionMultiplexer multiplexer, long issuedTick)
    {
        if (Volatile.Read(ref _pingsInFlight) >= MaxPingsInFlight)
        {
            return;
        }

        var epoch = Interlocked.Read(ref _leaseEpoch);
        Task reply;
        try
        {
            Interlocked.Increment(ref _pingsSent);
            reply = multiplexer.GetSubscriber().PingAsync();
        }
        catch (Exception ex) when (ex is RedisException or ObjectDisposedException)
        {
            // No proof this time: the lease runs out and reads go to Redis until a ping is answered again.
            return;
        }

        Interlocked.Increment(ref _pingsInFlight);
        _ = reply.ContinueWith(
            static (answered, state) =>
            {
                var (tier, issued, epochAtSend) = ((CoherentMemoryTier, long, long))state!;
                tier.OnPingAnswered(answered, issued, epochAtSend);
            },
            (this, issuedTick, epoch),
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
    }

    private void OnPingAnswered(Task reply, long issuedTick, long epochAtSend)
    {
        Interlocked.Decrement(ref _pingsInFlight);
        if (reply.IsCompletedSuccessfully)
        {
            // Every invalidation parsed before this reply is in an inbox now, or in the hands of another drainer:
            // applied here, or by that drainer, before the lease vouches for it, whichever threads the reads run on.
            ApplyArrivedInvalidations();
            if (AllTakenApplied() && ExtendLease(issuedTick + _leaseWindowMs, epochAtSend))
            {
                Interlocked.Increment(ref _pings);
            }

            return;
        }

        // Otherwise (a timeout, a lost connection) no proof this time: the lease runs out on its own.
        TurnOffIfRefusedForGood(reply.Exception);
    }

    /// <summary>
    /// The cluster's round: a ping on every node's subscription and a ROLE on every node, waited for together (see
    /// <see cref="PingClusterNodes"/>); the lease is extended from the round's issue time when all answered.
    /// </summary>
    private void PingClusterRound(long issuedTick, CancellationToken stopping)
    {
        var epoch = Interlocked.Read(ref _leaseEpoch);
        try
        {
            if (PingClusterNodes(stopping) && DrainedBeforeExtending() && ExtendLease(issuedTick + _leaseWindowMs, epoch))
            {
                Interlocked.Increment(ref _pings);
            }
        }
        catch (Exception ex) when (ex is RedisException or AggregateException or OperationCanceledException or ObjectDisposedException)
        {
            TurnOffIfRefusedForGood(ex);
        }
    }

    /// <summary>
    /// An ACL without +ping, a renamed command: no proof will ever come, and refusing every hit forever would quietly
    /// turn the tier off. Says so once and falls back to the behaviour without the bound.
    /// </summary>
    private void TurnOffIfRefusedForGood(Exception? failure)
    {
        var refused = failure as RedisServerException ?? (failure as AggregateException)?.InnerException as RedisServerException;
        if (refused is null || !CommandRefusal.IsRefusedForGood(refused.Message))
        {
            return;
        }

        lock (_leaseLock)
        {
            if (_leaseUnavailable)
            {
                return;
            }

            _leaseUnavailable = true;
            Volatile.Write(ref _leaseUntilTick, long.MaxValue);
        }

        Log.MemoryTierLeaseUnavailable(_logger, refused.Message);
    }

    /// <summary>Applies what arrived before a round's replies, so the extension that follows covers it; false while another drainer still holds a message.</summary>
    private bool DrainedBeforeExtending()
    {
        ApplyArrivedInvalidations();
        return AllTakenApplied();
    }

    /// <summary>Extends the lease to <paramref name="untilTick"/> unless it was revoked since the ping behind it was sent (then false).</summary>
    private bool ExtendLease(long untilTick, long epochAtSend)
    {
        lock (_leaseLock)
        {
            if (Interlocked.Read(ref _leaseEpoch) != epochAtSend || _leaseUnavailable)
            {
                return false;
            }

            if (untilTick > Volatile.Read(ref _leaseUntilTick))
            {
                Volatile.Write(ref _leaseUntilTick, untilTick);
            }

            return true;
        }
    }

    /// <summary>Ends the lease at once (a flush, a lost connection): no hit rides on a proof from before it.</summary>
    private void RevokeLease()
    {
        if (_options.MaxStaleness == Timeout.InfiniteTimeSpan)
        {
            return;
        }

        lock (_leaseLock)
        {
            Interlocked.Increment(ref _leaseEpoch);

            // The pinger may have given up on this server: the bound is off then, not revoked for good.
            if (!_leaseUnavailable)
            {
                Volatile.Write(ref _leaseUntilTick, 0);
            }
        }
    }

    /// <summary>
    /// The step of <see cref="Environment.TickCount64"/> (4 ms on Linux at HZ=250, 15.6 ms on Windows), plus 1 ms for a
    /// fractional step: the smallest change seen over a few changes. Not the largest: a thread preempted between two
    /// readings sees a change of several steps, and on a loaded host that would shrink the lease to nothing.
    /// </summary>
    private static long MeasureTickStepMs()
    {
        var smallest = long.MaxValue;
        var stopwatch = Stopwatch.StartNew();
        var previous = Environment.TickCount64;
        for (var seen = 0; seen < 5 && stopwatch.ElapsedMilliseconds < 200;)
        {
            var tick = Environment.TickCount64;
            if (tick != previous)
            {
                smallest = Math.Min(smallest, tick - previous);
                previous = tick;
                seen++;
            }
            else
            {
                Thread.SpinWait(64);
            }
        }

        // No change within 200 ms (an extremely coarse or frozen clock): assume Windows' default step.
        return smallest == long.MaxValue ? 16 : smallest + 1;
    }
}
