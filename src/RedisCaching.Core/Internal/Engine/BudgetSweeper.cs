using System;
using System.Runtime.CompilerServices;
using System.Threading;

namespace RedisCaching.Internal.Engine;

/// <summary>A call the <see cref="BudgetSweeper"/> times out: one pooled <see cref="BudgetedCall{TResult}"/>.</summary>
internal interface IBudgetedCall
{
    /// <summary>Times the call in flight out when its budget ran out by <paramref name="nowTimestamp"/>; true while a call is in flight.</summary>
    bool Sweep(long nowTimestamp);
}

/// <summary>
/// One timer per <see cref="TimeProvider"/> that times out every budgeted call in flight, instead of a timer per call
/// re-armed and disarmed on every Redis call (two <c>ITimer.Change</c>, each taking the timer queue's lock, with 64
/// calls in flight a contended one). Every <see cref="Period"/> it looks at the calls this provider's pooled objects
/// carry, so a call whose Redis hangs is released at most one period (plus the timer thread's scheduling) after its
/// budget, never before. It stops after a second without calls in flight (an idle process is not woken 500 times a
/// second) and the next call starts it again.
/// </summary>
internal sealed class BudgetSweeper
{
    /// <summary>How often the calls in flight are looked at: the granularity of a timeout.</summary>
    public static readonly TimeSpan Period = TimeSpan.FromMilliseconds(2);

    private const int IdleSweepsBeforeStop = 500;

    private static readonly BudgetSweeper SystemSweeper = new(TimeProvider.System);
    private static readonly ConditionalWeakTable<TimeProvider, BudgetSweeper> Others = [];

    private readonly TimeProvider _time;
    private readonly ITimer _timer;
    private readonly Lock _lock = new();

    /// <summary>Every pooled call of this provider (copy-on-write: the sweep reads it without the lock).</summary>
    private IBudgetedCall[] _calls = [];

    /// <summary>1 while the timer runs. A call that finds 0 starts it (see <see cref="EnsureRunning"/>).</summary>
    private int _running;

    private int _idleSweeps;

    private BudgetSweeper(TimeProvider time)
    {
        _time = time;

        // No ExecutionContext captured into a shared timer: it would keep the first caller's AsyncLocals alive.
        using (ExecutionContext.SuppressFlow())
        {
            _timer = time.CreateTimer(static state => ((BudgetSweeper)state!).OnTimer(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        }
    }

    /// <summary>The sweeper of <paramref name="time"/>.</summary>
    public static BudgetSweeper For(TimeProvider time) =>
        ReferenceEquals(time, TimeProvider.System) ? SystemSweeper : Others.GetValue(time, static t => new BudgetSweeper(t));

    /// <summary>Looks at <paramref name="call"/> from now on (once, when the pooled object is created).</summary>
    public void Add(IBudgetedCall call)
    {
        lock (_lock)
        {
            _calls = [.. _calls, call];
        }
    }

    /// <summary>Stops looking at <paramref name="call"/> (a pooled object dropped: the pool was full).</summary>
    public void Remove(IBudgetedCall call)
    {
        lock (_lock)
        {
            var index = Array.IndexOf(_calls, call);
            if (index >= 0)
            {
                var calls = new IBudgetedCall[_calls.Length - 1];
                Array.Copy(_calls, calls, index);
                Array.Copy(_calls, index + 1, calls, index, calls.Length - index);
                _calls = calls;
            }
        }
    }

    /// <summary>
    /// Called by a call after it published itself as in flight (with a full fence): starts the timer when it is not
    /// running. The stop in <see cref="OnTimer"/> clears the flag before its last look, also behind a full fence, so
    /// either that look sees the call or the call sees the flag cleared.
    /// </summary>
    public void EnsureRunning()
    {
        if (Volatile.Read(ref _running) == 0 && Interlocked.CompareExchange(ref _running, 1, 0) == 0)
        {
            _idleSweeps = 0;
            _timer.Change(Period, Period);
        }
    }

    private void OnTimer()
    {
        if (SweepAll())
        {
            _idleSweeps = 0;
            return;
        }

        if (++_idleSweeps < IdleSweepsBeforeStop)
        {
            return;
        }

        lock (_lock)
        {
            // The lock keeps two late timer callbacks from stopping at once; calls do not take it.
            Interlocked.Exchange(ref _running, 0);
            if (SweepAll())
            {
                // A call started between the last sweep and the flag: keep going (unless it already restarted us).
                EnsureRunning();
                return;
            }

            _timer.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
            if (Volatile.Read(ref _running) == 1)
            {
                // A call restarted the timer between the flag and the Change above: run again.
                _timer.Change(Period, Period);
            }
        }
    }

    /// <summary>Times out every call past its budget; true when any call is in flight.</summary>
    private bool SweepAll()
    {
        var now = _time.GetTimestamp();
        var busy = false;
        foreach (var call in Volatile.Read(ref _calls))
        {
            busy |= call.Sweep(now);
        }

        return busy;
    }
}
