using System;
using System.Threading;
using System.Threading.Tasks;

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
internal sealed class BudgetedCall<TResult> : BudgetedSource<TResult>
{
    private const int PoolSize = 64;
    private static readonly BudgetedCall<TResult>?[] Pool = new BudgetedCall<TResult>?[PoolSize];

    private readonly Action _onTaskCompleted;
    private Task<TResult>? _task;
    private ICommandDoneListener? _whenDone;

    private BudgetedCall(TimeProvider time)
        : base(time, "budgeted call")
    {
        _onTaskCompleted = OnTaskCompleted;
    }

    /// <summary>
    /// Awaits <paramref name="task"/> for at most <paramref name="timeout"/>: a <see cref="TimeoutException"/> after it, an
    /// <see cref="OperationCanceledException"/> when <paramref name="cancellationToken"/> fires first. <paramref name="whenDone"/>
    /// is told once when the task itself completes, which may be after the caller gave up.
    /// </summary>
    public static ValueTask<TResult> WaitAsync(Task<TResult> task, TimeSpan timeout, TimeProvider time, CancellationToken cancellationToken, ICommandDoneListener? whenDone = null)
    {
        if (task.IsCompleted)
        {
            whenDone?.CommandDone();
            return new ValueTask<TResult>(task);
        }

        if (cancellationToken.IsCancellationRequested)
        {
            TellWhenDone(task, whenDone);
            return ValueTask.FromCanceled<TResult>(cancellationToken);
        }

        if (timeout <= TimeSpan.Zero)
        {
            TaskFailures.Observe(task);
            TellWhenDone(task, whenDone);
            return ValueTask.FromException<TResult>(new TimeoutException());
        }

        var call = Rent(time);
        call._whenDone = whenDone;
        return call.Start(task, timeout, cancellationToken);
    }

    /// <summary>The rare paths that keep no pooled call: a continuation of its own (an allocation) tells the listener.</summary>
    private static void TellWhenDone(Task task, ICommandDoneListener? whenDone)
    {
        if (whenDone is not null)
        {
            _ = task.ContinueWith(static (_, listener) => ((ICommandDoneListener)listener!).CommandDone(), whenDone, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }
    }

    private ValueTask<TResult> Start(Task<TResult> task, TimeSpan timeout, CancellationToken cancellationToken)
    {
        _task = task;
        var version = Arm(timeout, cancellationToken);

        // Stores the delegate itself as the task's continuation: no allocation.
        task.ConfigureAwait(false).GetAwaiter().UnsafeOnCompleted(_onTaskCompleted);
        return new ValueTask<TResult>(this, version);
    }

    private void OnTaskCompleted()
    {
        var task = _task!;
        var whenDone = _whenDone;
        _whenDone = null;

        // First: the command is gone from the server's hands whatever the caller does next. The listener must not throw;
        // if it still did (out of memory), this caller is settled before the exception escapes (to the thread pool,
        // which ends the process), so it is not left waiting meanwhile.
        try
        {
            whenDone?.CommandDone();
        }
        finally
        {
            Settle(task);
        }
    }

    private void Settle(Task<TResult> task)
    {
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

    protected override void OnReleased()
    {
        _task = null;
        Return(this);
    }

    private static BudgetedCall<TResult> Rent(TimeProvider time) => PooledCallSlots.Rent(Pool, time) ?? new BudgetedCall<TResult>(time);

    private static void Return(BudgetedCall<TResult> call) => PooledCallSlots.Return(Pool, call);
}
