using System;
using System.Threading;
using System.Threading.Tasks;
using System.Threading.Tasks.Sources;

namespace RedisCaching.Internal.Engine;

/// <summary>
/// A pooled awaitable that its caller waits on for at most a budget: timed out by the shared
/// <see cref="BudgetSweeper"/> (a <see cref="TimeoutException"/>), released by the caller's token (an
/// <see cref="OperationCanceledException"/>), otherwise settled by its owner with the command's outcome. Written once for
/// <see cref="BudgetedCall{TResult}"/> (settled by a StackExchange.Redis task), <see cref="CoalescedRead"/> (settled
/// by its batch) and the cache's pending writes (which settle a timeout or a cancellation as a write not confirmed);
/// each keeps its own pool and what it clears when released.
/// </summary>
internal abstract class BudgetedSource<TResult> : IValueTaskSource<TResult>, IPooledBudgetedCall
{
    /// <summary>The outcome and the race for it, used in place (a mutable struct: never copied).</summary>
    protected BudgetedCallState<TResult> _state;

    private readonly BudgetSweeper _sweeper;

    /// <summary>The caller's part of the name in a second consumption's message (a field: no virtual call per result).</summary>
    private readonly string _what;

    /// <param name="time">The clock of the budget.</param>
    /// <param name="what">What a second consumption's message calls the operation ("coalesced read").</param>
    protected BudgetedSource(TimeProvider time, string what)
    {
        Time = time;
        _what = what;

        // RunContinuationsAsynchronously stays false: the owners settle on the thread pool (StackExchange.Redis's
        // completions, a batch's work items), so the caller may continue right there.
        _state = default;
        _sweeper = BudgetSweeper.For(time);
        _sweeper.Add(this);
    }

    /// <inheritdoc />
    public TimeProvider Time { get; }

    /// <summary>Arms a call of <paramref name="budget"/> from now, cancelled by <paramref name="cancellationToken"/>; returns the version of the caller's ValueTask.</summary>
    protected short Arm(TimeSpan budget, CancellationToken cancellationToken)
    {
        var version = _state.Arm(this, Time, budget, static (state, token) => ((BudgetedSource<TResult>)state!).OnCancelled(token), cancellationToken);
        _sweeper.EnsureRunning();
        return version;
    }

    /// <summary>Called by the sweeper: times the call in flight out once its budget ran out; true while one is in flight.</summary>
    public bool Sweep(long nowTimestamp)
    {
        if (_state.TryClaimForSweep(Time, nowTimestamp, out var inFlight))
        {
            // The caller's continuation runs where the outcome is set. Not on the sweeper's thread: when Redis dies,
            // every call in flight times out in one sweep, and each caller's fail-safe or factory work would otherwise
            // run there one after another, releasing the last caller long after its budget.
            ThreadPool.UnsafeQueueUserWorkItem(static call => call.SettleTimedOut(), this, preferLocal: false);
        }

        return inFlight;
    }

    private void OnCancelled(CancellationToken token)
    {
        if (_state.TryClaimForCancellation(token))
        {
            SettleCancelled(token);
        }
    }

    /// <summary>The budget ran out (claimed by the sweeper): the caller's outcome. A <see cref="TimeoutException"/> unless the owner says otherwise.</summary>
    protected virtual void SettleTimedOut() => _state.SetException(new TimeoutException());

    /// <summary>The caller's token fired (claimed): the caller's outcome. An <see cref="OperationCanceledException"/> unless the owner says otherwise.</summary>
    protected virtual void SettleCancelled(CancellationToken token) => _state.SetException(new OperationCanceledException(token));

    public TResult GetResult(short token)
    {
        _state.ThrowIfConsumed(token, _what);
        try
        {
            return _state.GetResult(token);
        }
        finally
        {
            Release();
        }
    }

    public ValueTaskSourceStatus GetStatus(short token) => _state.GetStatus(token);

    public void OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _state.OnCompleted(continuation, state, token, flags);

    /// <summary>One user (the caller, or the owner's settling side) is done; the last one hands the object back.</summary>
    protected void Release()
    {
        if (_state.Release())
        {
            OnReleased();
        }
    }

    /// <summary>Both users are done: clear what the call held and go back to the pool.</summary>
    protected abstract void OnReleased();
}
