using System;
using System.Buffers;
using System.Threading;
using System.Threading.Tasks;
using System.Threading.Tasks.Sources;
using RedisCaching.Internal.Memory;
using StackExchange.Redis;

namespace RedisCaching.Internal.Engine;

internal sealed partial class RedisCache
{
    /// <summary>
    /// One SET in flight and everything that follows it: the budget (a pooled object the shared
    /// <see cref="BudgetSweeper"/> times out, as it does <see cref="BudgetedCall{TResult}"/>), the breaker's verdict,
    /// the memory update or the in-doubt handling, and the return of the entry's pooled bytes once StackExchange.Redis
    /// is done with them. It replaces an async method
    /// awaiting a budgeted call: with many writes in flight that method's box (about 200 B) missed the pooling
    /// builder's small cache on every write. The result is whether the write was confirmed.
    /// </summary>
    /// <remarks>
    /// The outcome is settled once, by whichever comes first: the command's completion, the sweeper, or the caller's
    /// token (a call id decides: <see cref="BudgetedCallState{TResult}"/>). The bytes are returned only on the
    /// command's completion, however the caller was released. The object goes back to the pool only when both the
    /// caller has read the outcome and the command completed, so nothing late reaches a later write.
    /// </remarks>
    private sealed class PendingWrite : BudgetedSource<bool>, IValueTaskSource
    {
        /// <summary>
        /// A stack under a lock: O(1) either way. <see cref="BudgetedCall{TResult}"/> scans an array for a free slot
        /// instead, one probe per call already in flight (about 30 on average with 64 writes in flight, and as many to
        /// return it); measured with 64 writes in flight on one thread, the two cost about the same, so the stack is
        /// for higher concurrency.
        /// </summary>
        private static readonly PendingWrite?[] Pool = new PendingWrite?[128];
        private static readonly Lock PoolLock = new();
        private static int s_pooled;

        private readonly Action _onTaskCompleted;
        private readonly Action _onReconfigured;
        private RedisCache? _cache;
        private RedisGuard? _guard;
        private string? _memoryKey;
        private MemoryEntry? _entry;
        private FillTicket _ticket;
        private byte[]? _bytes;
        private Task<bool>? _task;

        // What sending the SET again after a READONLY reply needs (RedisCache.ReadOnly.cs).
        private IDatabaseAsync? _database;
        private RedisKey _redisKey;
        private int _length;
        private TimeSpan _ttl;
        private WriteCondition _condition;

        /// <summary>When the SET's duration is measured: its start (Stopwatch timestamp), else 0.</summary>
        private long _telemetryStart;

        private PendingWrite(TimeProvider time)
            : base(time, "write")
        {
            _onTaskCompleted = OnTaskCompleted;
            _onReconfigured = OnReconfigured;
        }

        /// <summary>
        /// Waits for <paramref name="write"/> (the SET of <paramref name="bytes"/>, which this takes over) for at most
        /// <paramref name="budget"/>, then settles it: true when confirmed; false, or the exception for the caller,
        /// otherwise. The breaker was entered for this write.
        /// </summary>
        public static ValueTask<bool> Start(RedisCache cache, RedisGuard guard, string memoryKey, MemoryEntry? entry, FillTicket ticket, byte[] bytes, Task<bool> write, SetCommand command, TimeSpan budget, long telemetryStart, CancellationToken cancellationToken)
        {
            var started = Begin(cache, guard, memoryKey, entry, ticket, bytes, write, command, budget, telemetryStart, cancellationToken);
            return started.Source is { } source ? new ValueTask<bool>(source, started.Token)
                : started.Outcome.Exception is { } toCaller ? ValueTask.FromException<bool>(toCaller)
                : new ValueTask<bool>(started.Outcome.Confirmed);
        }

        /// <summary>As <see cref="Start"/>, for a caller that does not need to know whether the write was confirmed.</summary>
        public static ValueTask StartWithoutResult(RedisCache cache, RedisGuard guard, string memoryKey, MemoryEntry? entry, FillTicket ticket, byte[] bytes, Task<bool> write, SetCommand command, TimeSpan budget, long telemetryStart, CancellationToken cancellationToken)
        {
            var started = Begin(cache, guard, memoryKey, entry, ticket, bytes, write, command, budget, telemetryStart, cancellationToken);
            return started.Source is { } source ? new ValueTask(source, started.Token)
                : started.Outcome.Exception is { } toCaller ? ValueTask.FromException(toCaller)
                : default;
        }

        private static Started Begin(RedisCache cache, RedisGuard guard, string memoryKey, MemoryEntry? entry, FillTicket ticket, byte[] bytes, Task<bool> write, SetCommand command, TimeSpan budget, long telemetryStart, CancellationToken cancellationToken)
        {
            // A READONLY reply takes the waiting path, which sends the SET again (OnTaskCompleted).
            if (write.IsCompleted && !(write.IsFaulted && IsReadOnlyReply(write.Exception!.InnerException)))
            {
                ArrayPool<byte>.Shared.Return(bytes);
                return new Started(null, 0, cache.SettleWrite(guard, memoryKey, entry, ticket, write, telemetryStart, cancellationToken));
            }

            if (cancellationToken.IsCancellationRequested || budget <= TimeSpan.Zero)
            {
                // Released before the command completes: the bytes go back to the pool only when it does.
                _ = write.ContinueWith(static (_, state) => ArrayPool<byte>.Shared.Return((byte[])state!), bytes, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
                Exception failure = cancellationToken.IsCancellationRequested ? new OperationCanceledException(cancellationToken) : new TimeoutException();
                return new Started(null, 0, new WriteOutcome(false, cache.WriteNotConfirmed(guard, memoryKey, ticket, failure, cancellationToken)));
            }

            var pending = Rent(cache._time);
            return new Started(pending, pending.Wait(cache, guard, memoryKey, entry, ticket, bytes, write, command, budget, telemetryStart, cancellationToken), default);
        }

        /// <summary>The SET a write sent, for sending it again after a READONLY reply.</summary>
        public readonly record struct SetCommand(IDatabaseAsync Database, RedisKey Key, int Length, TimeSpan Ttl, WriteCondition Condition);

        /// <summary>Either the pooled object to wait on (with its token), or the outcome when the write settled at once.</summary>
        private readonly record struct Started(PendingWrite? Source, short Token, WriteOutcome Outcome);

        /// <summary>Arms the budget and the token and waits for the command; returns the token of the caller's ValueTask.</summary>
        private short Wait(RedisCache cache, RedisGuard guard, string memoryKey, MemoryEntry? entry, FillTicket ticket, byte[] bytes, Task<bool> write, SetCommand command, TimeSpan budget, long telemetryStart, CancellationToken cancellationToken)
        {
            _cache = cache;
            _guard = guard;
            _telemetryStart = telemetryStart;
            _memoryKey = memoryKey;
            _entry = entry;
            _ticket = ticket;
            _bytes = bytes;
            _task = write;
            (_database, _redisKey, _length, _ttl, _condition) = command;
            var version = Arm(budget, cancellationToken);

            // Stores the delegate itself as the task's continuation: no allocation.
            write.ConfigureAwait(false).GetAwaiter().UnsafeOnCompleted(_onTaskCompleted);
            return version;
        }

        private void OnTaskCompleted()
        {
            var task = _task!;

            // READONLY: the node was demoted. While the caller still waits (the sweeper keeps the original budget), wait
            // for a re-check of the roles that started after this reply and send the same bytes again, as often as the
            // answer is READONLY (the re-checks are rate-limited); the bytes stay ours meanwhile.
            if (task.IsFaulted && IsReadOnlyReply(task.Exception!.InnerException) && _state.IsPending)
            {
                _cache!.ReconfigureAfterReadOnly(_database!.Multiplexer, _cache.ReadOnlyRechecksStarted).ConfigureAwait(false).GetAwaiter().UnsafeOnCompleted(_onReconfigured);
                return;
            }

            // The command is done with the bytes, whatever the caller was told.
            ArrayPool<byte>.Shared.Return(_bytes!);
            _bytes = null;
            if (_state.TryClaimForCompletion())
            {
                WriteOutcome outcome;
                try
                {
                    outcome = _cache!.SettleWrite(_guard!, _memoryKey!, _entry, _ticket, task, _telemetryStart, _state.Token);
                }
                catch (Exception ex)
                {
                    // A logger or the memory tier threw: the caller gets it, as from an async method (on this pool
                    // thread it would end the process).
                    outcome = new WriteOutcome(false, ex);
                }

                Set(outcome);
            }
            else
            {
                // The caller left (timeout, cancellation): observe a failure nobody will look at.
                _ = task.Exception;
            }

            Release();
        }

        /// <summary>The multiplexer looked at its nodes again: the next send, unless the caller already left.</summary>
        private void OnReconfigured()
        {
            if (_state.IsPending)
            {
                try
                {
                    _task = _cache!.SetWhen(_database!, _redisKey, new ReadOnlyMemory<byte>(_bytes!, 0, _length), _ttl, _condition);
                }
                catch (Exception ex)
                {
                    _task = Task.FromException<bool>(ex);
                }
            }

            // Settles with this send's outcome (or the last one's when the caller left): bytes, breaker, memory; or,
            // answered READONLY again, waits for the next re-check.
            _task!.ConfigureAwait(false).GetAwaiter().UnsafeOnCompleted(_onTaskCompleted);
        }

        /// <summary>The budget ran out: the write is not confirmed (on the thread pool, as the base class queues it).</summary>
        protected override void SettleTimedOut()
        {
            var timeout = new TimeoutException();
            if (_telemetryStart != 0)
            {
                _cache!.RecordRedisDuration("SET", _telemetryStart, timeout);
            }

            Set(NotConfirmed(timeout, _state.Token));
        }

        protected override void SettleCancelled(CancellationToken token) => Set(NotConfirmed(new OperationCanceledException(token), token));

        /// <summary>The caller is released before the command completed (timeout, cancellation).</summary>
        private WriteOutcome NotConfirmed(Exception failure, CancellationToken token)
        {
            try
            {
                return new WriteOutcome(false, _cache!.WriteNotConfirmed(_guard!, _memoryKey!, _ticket, failure, token));
            }
            catch (Exception ex)
            {
                return new WriteOutcome(false, ex);
            }
        }

        private void Set(WriteOutcome outcome)
        {
            if (outcome.Exception is { } toCaller)
            {
                _state.SetException(toCaller);
            }
            else
            {
                _state.SetResult(outcome.Confirmed);
            }
        }

        void IValueTaskSource.GetResult(short token) => GetResult(token);

        protected override void OnReleased()
        {
            _cache = null;
            _memoryKey = null;
            _guard = null;
            _entry = null;
            _ticket = default;
            _task = null;
            _database = null;
            _redisKey = default;
            _condition = default;
            Return(this);
        }

        private static PendingWrite Rent(TimeProvider time)
        {
            PendingWrite? item = null;
            lock (PoolLock)
            {
                if (s_pooled > 0)
                {
                    item = Pool[--s_pooled];
                    Pool[s_pooled] = null;
                }
            }

            if (item is null)
            {
                return new PendingWrite(time);
            }

            if (ReferenceEquals(item.Time, time))
            {
                return item;
            }

            // Another TimeProvider (tests with fake time): its sweeper belongs to that provider.
            BudgetSweeper.For(item.Time).Remove(item);
            return new PendingWrite(time);
        }

        private static void Return(PendingWrite write)
        {
            lock (PoolLock)
            {
                if (s_pooled < Pool.Length)
                {
                    Pool[s_pooled++] = write;
                    return;
                }
            }

            // Dropped (the pool is full): the sweeper must not keep it.
            BudgetSweeper.For(write.Time).Remove(write);
        }
    }
}
