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
internal sealed class BudgetedCall<TResult> : IValueTaskSource<TResult>, IBudgetedCall
{
    private const int PoolSize = 64;
    private static readonly BudgetedCall<TResult>?[] Pool = new BudgetedCall<TResult>?[PoolSize];

    private readonly TimeProvider _time;
    private readonly BudgetSweeper _sweeper;
    private readonly Action _onTaskCompleted;
    private ManualResetValueTaskSourceCore<TResult> _core;
    private Task<TResult>? _task;
    private CancellationToken _token;
    private CancellationTokenRegistration _registration;
    private long _startedAt;
    private TimeSpan _timeout;

    /// <summary>
    /// The id of the call while no outcome is set (the task, the sweeper and the token race for it), 0 once one is.
    /// An id rather than a flag: a sweep that read an earlier call of this pooled object can only settle the call it
    /// read, never a later one.
    /// </summary>
    private int _pending;

    /// <summary>The last call id handed out (never 0).</summary>
    private int _lastCallId;

    /// <summary>Who still uses this call: the caller (until it read the outcome) and the task's continuation.</summary>
    private int _users;

    private BudgetedCall(TimeProvider time)
    {
        _time = time;
        _onTaskCompleted = OnTaskCompleted;

        // RunContinuationsAsynchronously stays false: StackExchange.Redis completes its tasks on the thread pool, not
        // on its reader thread, so the caller may continue right there (as it did after Task.WaitAsync).
        _core = default;
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
        _token = cancellationToken;
        _timeout = timeout;
        _startedAt = _time.GetTimestamp();
        _users = 2;
        var callId = unchecked(_lastCallId + 1);
        _lastCallId = callId == 0 ? 1 : callId;

        // A full fence (see BudgetSweeper.EnsureRunning): the sweeper that is about to stop either sees this call or
        // leaves its flag cleared for us to see. The fields above are published with it.
        Interlocked.Exchange(ref _pending, _lastCallId);
        var version = _core.Version;
        if (cancellationToken.CanBeCanceled)
        {
            _registration = cancellationToken.UnsafeRegister(static (state, token) => ((BudgetedCall<TResult>)state!).OnCancelled(token), this);
        }

        _sweeper.EnsureRunning();

        // Stores the delegate itself as the task's continuation: no allocation.
        task.ConfigureAwait(false).GetAwaiter().UnsafeOnCompleted(_onTaskCompleted);
        return new ValueTask<TResult>(this, version);
    }

    private void OnTaskCompleted()
    {
        var task = _task!;
        if (Interlocked.Exchange(ref _pending, 0) != 0)
        {
            _registration.Unregister();
            if (task.IsCompletedSuccessfully)
            {
                _core.SetResult(task.Result);
            }
            else if (task.IsCanceled)
            {
                _core.SetException(new TaskCanceledException(task));
            }
            else
            {
                _core.SetException(task.Exception!.InnerException ?? task.Exception);
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
        var callId = Volatile.Read(ref _pending);
        if (callId == 0)
        {
            return false;
        }

        // Read after the id: a later call of this object has published its own start by then (and then the
        // exchange below fails, the id having changed).
        if (_time.GetElapsedTime(Volatile.Read(ref _startedAt), nowTimestamp) < _timeout)
        {
            return true;
        }

        if (Interlocked.CompareExchange(ref _pending, 0, callId) == callId)
        {
            _registration.Unregister();
            _core.SetException(new TimeoutException());
        }

        return true;
    }

    private void OnCancelled(CancellationToken token)
    {
        // A registration left over from an earlier call carries another token (or the same one, already cancelled:
        // then this call is cancelled too, as Task.WaitAsync would have it).
        var callId = Volatile.Read(ref _pending);
        if (callId == 0 || token != _token || Interlocked.CompareExchange(ref _pending, 0, callId) != callId)
        {
            return;
        }

        _core.SetException(new OperationCanceledException(token));
    }

    public TResult GetResult(short token)
    {
        if (token != _core.Version)
        {
            // A second consumption of the ValueTask: refuse it without releasing, or a live object would go back to the pool.
            throw new InvalidOperationException("This budgeted call's result was already consumed.");
        }

        try
        {
            return _core.GetResult(token);
        }
        finally
        {
            Release();
        }
    }

    public ValueTaskSourceStatus GetStatus(short token) => _core.GetStatus(token);

    public void OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _core.OnCompleted(continuation, state, token, flags);

    private void Release()
    {
        if (Interlocked.Decrement(ref _users) != 0)
        {
            return;
        }

        _task = null;
        _token = default;
        _registration = default;
        _core.Reset();
        Return(this);
    }

    private static void ObserveFailure(Task task) =>
        _ = task.ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);

    private static BudgetedCall<TResult> Rent(TimeProvider time)
    {
        for (var i = 0; i < Pool.Length; i++)
        {
            var item = Volatile.Read(ref Pool[i]);
            if (item is not null && Interlocked.CompareExchange(ref Pool[i], null, item) == item)
            {
                if (ReferenceEquals(item._time, time))
                {
                    return item;
                }

                // Another TimeProvider (tests with fake time): its sweeper belongs to that provider.
                item._sweeper.Remove(item);
                break;
            }
        }

        return new BudgetedCall<TResult>(time);
    }

    private static void Return(BudgetedCall<TResult> call)
    {
        for (var i = 0; i < Pool.Length; i++)
        {
            if (Volatile.Read(ref Pool[i]) is null && Interlocked.CompareExchange(ref Pool[i], call, null) is null)
            {
                return;
            }
        }

        call._sweeper.Remove(call);
    }
}
