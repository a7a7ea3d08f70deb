using System;
using System.Threading;
using System.Threading.Tasks;
using System.Threading.Tasks.Sources;

namespace RedisCaching.Internal.Engine;

/// <summary>
/// Awaits a StackExchange.Redis task for at most a time budget, like <c>Task.WaitAsync(timeout, timeProvider,
/// cancellationToken)</c> but without its per-call allocations (a promise task, a timer, a registration): the
/// objects are pooled per result type, and one <see cref="BudgetSweeper"/> per time provider times out the calls in
/// flight (no timer is armed or disarmed per call; a timeout comes at most one sweep period late). On timeout or cancellation
/// the caller is released at once and the command keeps running inside StackExchange.Redis; the object goes back to
/// the pool only after both the caller has read the outcome and the command's task has completed, so a late
/// completion can never reach a later call.
/// </summary>
internal sealed class BudgetedCall<TResult> : IValueTaskSource<TResult>, IPooledBudgetedCall
{
    private const int PoolSize = 64;
    private static readonly BudgetedCall<TResult>?[] Pool = new BudgetedCall<TResult>?[PoolSize];

    private readonly TimeProvider _time;
    private readonly BudgetSweeper _sweeper;
    private readonly Action _onTaskCompleted;

    /// <summary>The outcome and the race for it (the task, the sweeper and the token), shared with PendingWrite.</summary>
    private BudgetedCallState<TResult> _state;
    private Task<TResult>? _task;

    private BudgetedCall(TimeProvider time)
    {
        _time = time;
        _onTaskCompleted = OnTaskCompleted;

        // RunContinuationsAsynchronously stays false: StackExchange.Redis completes its tasks on the thread pool, not
        // on its reader thread, so the caller may continue right there (as it did after Task.WaitAsync).
        _state = default;
        _sweeper = BudgetSweeper.For(time);
        _sweeper.Add(this);
    }

    /// <summary>Awaits <paramref name="task"/> for at most <paramref name="timeout"/>: a <see cref="TimeoutException"/> after it, an <see cref="OperationCanceledException"/> when <paramref name="cancellationToken"/> fires first.</summary>
    public static ValueTask<TResult> WaitAsync(Task<TResult> task, TimeSpan timeout, TimeProvider time, CancellationToken cancellationToken)
    {
        if (task.IsCompleted)
        {
            return new ValueTask<TResult>(task);
        }

        if (cancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromCanceled<TResult>(cancellationToken);
        }

        if (timeout <= TimeSpan.Zero)
        {
            ObserveFailure(task);
            return ValueTask.FromException<TResult>(new TimeoutException());
        }

        var call = Rent(time);
        return call.Start(task, timeout, cancellationToken);
    }

    private ValueTask<TResult> Start(Task<TResult> task, TimeSpan timeout, CancellationToken cancellationToken)
    {
        _task = task;
        var version = _state.Arm(this, _time, timeout, static (state, token) => ((BudgetedCall<TResult>)state!).OnCancelled(token), cancellationToken);
        _sweeper.EnsureRunning();

        // Stores the delegate itself as the task's continuation: no allocation.
        task.ConfigureAwait(false).GetAwaiter().UnsafeOnCompleted(_onTaskCompleted);
        return new ValueTask<TResult>(this, version);
    }

    private void OnTaskCompleted()
    {
        var task = _task!;
        if (_state.TryClaimForCompletion())
        {
            if (task.IsCompletedSuccessfully)
            {
                _state.SetResult(task.Result);
            }
            else if (task.IsCanceled)
            {
                _state.SetException(new TaskCanceledException(task));
            }
            else
            {
                _state.SetException(task.Exception!.InnerException ?? task.Exception);
            }
        }
        else
        {
            // The caller left (timeout, cancellation): observe a failure nobody will look at.
            _ = task.Exception;
        }

        Release();
    }

    /// <summary>Called by the sweeper: times the call in flight out once its budget ran out; true while one is in flight.</summary>
    public bool Sweep(long nowTimestamp)
    {
        if (_state.TryClaimForSweep(_time, nowTimestamp, out var inFlight))
        {
            // The caller's continuation runs where the outcome is set. Not on the sweeper's thread: when Redis dies,
            // every call in flight times out in one sweep, and each caller's fail-safe or factory work would otherwise
            // run there one after another, releasing the last caller long after its budget.
            ThreadPool.UnsafeQueueUserWorkItem(static call => call._state.SetException(new TimeoutException()), this, preferLocal: false);
        }

        return inFlight;
    }

    private void OnCancelled(CancellationToken token)
    {
        if (_state.TryClaimForCancellation(token))
        {
            _state.SetException(new OperationCanceledException(token));
        }
    }

    public TResult GetResult(short token)
    {
        _state.ThrowIfConsumed(token, "budgeted call");
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

    private void Release()
    {
        if (_state.Release())
        {
            _task = null;
            Return(this);
        }
    }

    private static void ObserveFailure(Task task) =>
        _ = task.ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);

    /// <inheritdoc />
    public TimeProvider Time => _time;

    private static BudgetedCall<TResult> Rent(TimeProvider time) => PooledCallSlots.Rent(Pool, time) ?? new BudgetedCall<TResult>(time);

    private static void Return(BudgetedCall<TResult> call) => PooledCallSlots.Return(Pool, call);
}
