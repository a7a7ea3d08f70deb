using System;
using System.Threading;
using System.Threading.Tasks.Sources;

namespace RedisCaching.Internal.Engine;

/// <summary>
/// What <see cref="BudgetedCall{TResult}"/> and <c>RedisCache.PendingWrite</c> share: a pooled awaitable whose
/// outcome three parties race to settle (the command's completion, the budget's sweeper, the caller's token) and that
/// may go back to its pool only once the caller has read the outcome and the command has completed. The outcome, the
/// race and the count of users live here, written once; the owner keeps its pool and what it does with the outcome, and
/// registers with the shared <see cref="BudgetSweeper"/>, which calls it to time out (<see cref="TryClaimForSweep"/>).
/// </summary>
/// <remarks>
/// A mutable struct held in a field of its owner and only ever used in place (never copied): its calls are direct
/// (no allocation, no virtual call), so the per-call path costs what it did when each owner had these lines itself. The
/// owner's one virtual call per operation is its pool's return, once both the caller and the settling side are done.
/// </remarks>
internal struct BudgetedCallState<TResult>
{
    private ManualResetValueTaskSourceCore<TResult> _core;
    private CancellationToken _token;
    private CancellationTokenRegistration _registration;
    private long _startedAt;
    private TimeSpan _timeout;

    /// <summary>
    /// The id of the call while no outcome is set, 0 once one is. An id rather than a flag: a sweep or a token
    /// registration left over from an earlier call of the pooled owner can only settle the call it read, never a later one.
    /// </summary>
    private int _pending;

    /// <summary>The last call id handed out (never 0).</summary>
    private int _lastCallId;

    /// <summary>Who still uses the owner: the caller (until it read the outcome) and the command's continuation.</summary>
    private int _users;

    /// <summary>The caller's token of the call under way.</summary>
    public readonly CancellationToken Token => _token;

    /// <summary>Whether no outcome is settled yet (the caller still waits).</summary>
    public bool IsPending => Volatile.Read(ref _pending) != 0;

    /// <summary>
    /// Arms a call of <paramref name="owner"/>: two users, a new call id, <paramref name="budget"/> from now,
    /// <paramref name="onCancelled"/> registered on <paramref name="cancellationToken"/>. Returns the version of the
    /// caller's ValueTask. The owner then makes sure its sweeper runs and hooks its continuation onto the command.
    /// </summary>
    public short Arm(object owner, TimeProvider time, TimeSpan budget, Action<object?, CancellationToken> onCancelled, CancellationToken cancellationToken)
    {
        _token = cancellationToken;
        _timeout = budget;
        _startedAt = time.GetTimestamp();
        _users = 2;
        var callId = unchecked(_lastCallId + 1);
        _lastCallId = callId == 0 ? 1 : callId;
        // A full fence: the fields above are published with the id, and a sweeper about to stop either sees this call
        // or leaves its running flag cleared for the owner to see (BudgetSweeper.EnsureRunning).
        Interlocked.Exchange(ref _pending, _lastCallId);
        var version = _core.Version;
        if (cancellationToken.CanBeCanceled)
        {
            _registration = cancellationToken.UnsafeRegister(onCancelled, owner);
        }

        return version;
    }

    /// <summary>The command completed: true when that settles the call (the registration is stopped); false when the
    /// caller was already released (timeout, cancellation).</summary>
    public bool TryClaimForCompletion()
    {
        if (Interlocked.Exchange(ref _pending, 0) == 0)
        {
            return false;
        }

        _registration.Unregister();
        return true;
    }

    /// <summary>
    /// A sweep at <paramref name="nowTimestamp"/> (<see cref="BudgetSweeper"/>): true when the budget is spent and that
    /// settles the call (the registration is stopped). <paramref name="inFlight"/> says whether a call was in flight.
    /// </summary>
    public bool TryClaimForSweep(TimeProvider time, long nowTimestamp, out bool inFlight)
    {
        var callId = Volatile.Read(ref _pending);
        inFlight = callId != 0;
        if (!inFlight)
        {
            return false;
        }

        // Read after the id: a later call of the owner has published its own start by then (and then the exchange
        // below fails, the id having changed).
        if (time.GetElapsedTime(Volatile.Read(ref _startedAt), nowTimestamp) < _timeout
            || Interlocked.CompareExchange(ref _pending, 0, callId) != callId)
        {
            return false;
        }

        _registration.Unregister();
        return true;
    }

    /// <summary><paramref name="token"/> was cancelled: true when that settles the call.</summary>
    public bool TryClaimForCancellation(CancellationToken token)
    {
        // A registration left over from an earlier call carries another token (or the same one, already cancelled:
        // then this call is cancelled too, as Task.WaitAsync would have it).
        var callId = Volatile.Read(ref _pending);
        if (callId == 0 || token != _token || Interlocked.CompareExchange(ref _pending, 0, callId) != callId)
        {
            return false;
        }

        return true;
    }

    /// <summary>Settles the outcome with a result (after a successful claim).</summary>
    public void SetResult(TResult result) => _core.SetResult(result);

    /// <summary>Settles the outcome with a failure (after a successful claim).</summary>
    public void SetException(Exception exception) => _core.SetException(exception);

    /// <summary>The outcome for the caller, after <see cref="ThrowIfConsumed"/>; the owner releases the caller's use
    /// afterwards, whatever this throws.</summary>
    public TResult GetResult(short token) => _core.GetResult(token);

    /// <summary>Throws when <paramref name="token"/> is not the version of the call under way (a second consumption):
    /// the owner must refuse it before <see cref="GetResult"/> and without a release, or a live owner would go back to
    /// its pool.</summary>
    public void ThrowIfConsumed(short token, string what)
    {
        if (token != _core.Version)
        {
            throw new InvalidOperationException($"This {what}'s result was already consumed.");
        }
    }

    /// <summary>As <see cref="IValueTaskSource{TResult}.GetStatus"/>.</summary>
    public ValueTaskSourceStatus GetStatus(short token) => _core.GetStatus(token);

    /// <summary>As <see cref="IValueTaskSource{TResult}.OnCompleted"/>.</summary>
    public void OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _core.OnCompleted(continuation, state, token, flags);

    /// <summary>
    /// One user is done. True when it was the last: the token, the registration and the outcome are reset, and the
    /// owner clears its own fields and goes back to its pool.
    /// </summary>
    public bool Release()
    {
        if (Interlocked.Decrement(ref _users) != 0)
        {
            return false;
        }

        _token = default;
        _registration = default;
        _core.Reset();
        return true;
    }
}
