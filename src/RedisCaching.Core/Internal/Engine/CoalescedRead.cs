using System;
using System.Threading;
using System.Threading.Tasks;
using StackExchange.Redis;

namespace RedisCaching.Internal.Engine;

/// <summary>
/// One read waiting in <see cref="ReadCoalescer"/>, and the awaitable its caller holds: pooled, so a coalesced read
/// allocates no task of its own. Timed out by the shared <see cref="BudgetSweeper"/> and released by the caller's token
/// like a <see cref="BudgetedCall{TResult}"/>; answered by its batch. It goes back to the pool only once both its caller
/// has read the outcome and its batch has answered, so a late answer can never reach a later read.
/// </summary>
/// <remarks>
/// Its caller continues where the answer is settled (no asynchronous continuation is queued by the core): the batch
/// queues each read but one to the thread pool as a work item of its own (no allocation) and settles the last where the
/// reply arrived, so one caller's decoding never holds up the others of the batch.
/// </remarks>
internal sealed class CoalescedRead : BudgetedSource<Lease<byte>?>, IThreadPoolWorkItem
{
    /// <summary>Enough for every read that can wait at once under heavy load; more are created and dropped.</summary>
    private static readonly CoalescedRead?[] Pool = new CoalescedRead?[256];

    private Lease<byte>? _answer;
    private Exception? _failure;

    private CoalescedRead(TimeProvider time)
        : base(time, "coalesced read")
    {
    }

    /// <summary>The database the read's batch is sent on (its multiplexer's), while the read waits.</summary>
    public IDatabaseAsync Database { get; private set; } = null!;

    /// <summary>The key read, while the read waits.</summary>
    public RedisKey Key { get; private set; }

    /// <summary>Whether the caller still waits (not timed out nor cancelled): a read nobody waits for is not sent.</summary>
    public bool CallerWaits => _state.IsPending;

    /// <summary>Drops a read whose caller left before its batch was sent: back to the pool once the caller read its outcome.</summary>
    public void Drop()
    {
        Hold(null, null);
        Settle();
    }

    /// <summary>A read of <paramref name="key"/> on <paramref name="database"/> that waits for its batch for at most <paramref name="budget"/>; <paramref name="result"/> is what its caller awaits.</summary>
    public static CoalescedRead Start(IDatabaseAsync database, RedisKey key, TimeSpan budget, TimeProvider time, CancellationToken cancellationToken, out ValueTask<Lease<byte>?> result)
    {
        var read = PooledCallSlots.Rent(Pool, time) ?? new CoalescedRead(time);
        read.Database = database;
        read.Key = key;
        var version = read.Arm(budget, cancellationToken);
        result = new ValueTask<Lease<byte>?>(read, version);
        return read;
    }

    /// <summary>
    /// The batch's answer: a value (null when Redis has none) or a failure. Settled here when <paramref name="inline"/>
    /// (the caller continues on this thread), otherwise on the thread pool.
    /// </summary>
    public void Answer(Lease<byte>? value, Exception? failure, bool inline)
    {
        Hold(value, failure);
        if (inline)
        {
            Settle();
        }
        else
        {
            SettleOnThreadPool();
        }
    }

    /// <summary>Hands the held answer to the caller on the thread pool (a work item of its own: no allocation).</summary>
    public void SettleOnThreadPool() => ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: false);

    /// <summary>Keeps the batch's answer in the read, for <see cref="Settle"/> later on the same thread.</summary>
    public void Hold(Lease<byte>? value, Exception? failure)
    {
        _answer = value;
        _failure = failure;
    }

    void IThreadPoolWorkItem.Execute() => Settle();

    /// <summary>Hands the held answer to the caller, who continues on this thread (or drops it when the caller left).</summary>
    public void Settle()
    {
        var answer = _answer;
        var failure = _failure;
        _answer = null;
        _failure = null;
        Database = null!;
        Key = default;
        if (_state.TryClaimForCompletion())
        {
            if (failure is null)
            {
                _state.SetResult(answer);
            }
            else
            {
                _state.SetException(failure);
            }
        }
        else
        {
            // The caller left (its budget, its token): nobody will read the value.
            answer?.Dispose();
        }

        Release();
    }

    protected override void OnReleased() => PooledCallSlots.Return(Pool, this);
}
