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
    /// One SET in flight and everything that follows it: the budget (a pooled object with its own timer, re-armed per
    /// write; <see cref="BudgetedCall{TResult}"/> has moved to the shared <see cref="BudgetSweeper"/>, this has not yet),
    /// the breaker's verdict, the memory update or the in-doubt handling, and the
    /// return of the entry's pooled bytes once StackExchange.Redis is done with them. It replaces an async method
    /// awaiting a budgeted call: with many writes in flight that method's box (about 200 B) missed the pooling
    /// builder's small cache on every write. The result is whether the write was confirmed.
    /// </summary>
    /// <remarks>
    /// The outcome is settled once, by whichever comes first: the command's completion, the timer, or the caller's
    /// token (a call id decides, as in <see cref="BudgetedCall{TResult}"/>). The bytes are returned only on the
    /// command's completion, however the caller was released. The object goes back to the pool only when both the
    /// caller has read the outcome and the command completed, so nothing late reaches a later write.
    /// </remarks>
    private sealed class PendingWrite : IValueTaskSource<bool>, IValueTaskSource
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

        private readonly TimeProvider _time;
        private readonly ITimer _timer;
        private readonly Action _onTaskCompleted;
        private readonly Action _onReconfigured;
        private ManualResetValueTaskSourceCore<bool> _core;
        private RedisCache? _cache;
        private RedisGuard? _guard;
        private string? _memoryKey;
        private MemoryEntry? _entry;
        private FillTicket _ticket;
        private byte[]? _bytes;
        private Task<bool>? _task;

        // What a second send after a READONLY reply needs (RedisCache.ReadOnly.cs); _retried: it was sent once more.
        private IDatabaseAsync? _database;
        private RedisKey _redisKey;
        private int _length;
        private TimeSpan _ttl;
        private bool _retried;
        private CancellationToken _token;
        private CancellationTokenRegistration _registration;
        private long _startedAt;

        /// <summary>When the SET's duration is measured: its start (Stopwatch timestamp), else 0.</summary>
        private long _telemetryStart;
        private TimeSpan _timeout;

        /// <summary>The id of the write while no outcome is settled, 0 once one is (see <see cref="BudgetedCall{TResult}"/>).</summary>
        private int _pending;

        private int _lastCallId;

        /// <summary>Who still uses this object: the caller (until it read the outcome) and the command's continuation.</summary>
        private int _users;

        private PendingWrite(TimeProvider time)
        {
            _time = time;
            _onTaskCompleted = OnTaskCompleted;
            _onReconfigured = OnReconfigured;

            // RunContinuationsAsynchronously stays false: StackExchange.Redis completes its tasks on the thread pool,
            // not on its reader thread, so the caller may continue right there.
            _core = default;
            using (ExecutionContext.SuppressFlow())
            {
                _timer = time.CreateTimer(static state => ((PendingWrite)state!).OnTimer(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
            }
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
        public readonly record struct SetCommand(IDatabaseAsync Database, RedisKey Key, int Length, TimeSpan Ttl);

        /// <summary>Either the pooled object to wait on (with its token), or the outcome when the write settled at once.</summary>
        private readonly record struct Started(PendingWrite? Source, short Token, WriteOutcome Outcome);

        /// <summary>Arms the timer and the token and waits for the command; returns the token of the caller's ValueTask.</summary>
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
            (_database, _redisKey, _length, _ttl) = command;
            _retried = false;
            _token = cancellationToken;
            _timeout = budget;
            _startedAt = _time.GetTimestamp();
            _users = 2;
            var callId = unchecked(_lastCallId + 1);
            _lastCallId = callId == 0 ? 1 : callId;
            Volatile.Write(ref _pending, _lastCallId);
            var version = _core.Version;
            if (cancellationToken.CanBeCanceled)
            {
                _registration = cancellationToken.UnsafeRegister(static (state, token) => ((PendingWrite)state!).OnCancelled(token), this);
            }

            _timer.Change(budget, Timeout.InfiniteTimeSpan);

            // Stores the delegate itself as the task's continuation: no allocation.
            write.ConfigureAwait(false).GetAwaiter().UnsafeOnCompleted(_onTaskCompleted);
            return version;
        }

        private void OnTaskCompleted()
        {
            var task = _task!;

            // READONLY: the node was demoted. Once, while the caller still waits (the timer keeps the original budget),
            // have the multiplexer find the new primary and send the same bytes again; the bytes stay ours meanwhile.
            if (!_retried && task.IsFaulted && IsReadOnlyReply(task.Exception!.InnerException) && Volatile.Read(ref _pending) != 0)
            {
                _retried = true;
                _cache!.ReconfigureAfterReadOnly(_database!.Multiplexer).ConfigureAwait(false).GetAwaiter().UnsafeOnCompleted(_onReconfigured);
                return;
            }

            // The command is done with the bytes, whatever the caller was told.
            ArrayPool<byte>.Shared.Return(_bytes!);
            _bytes = null;
            if (Interlocked.Exchange(ref _pending, 0) != 0)
            {
                _timer.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
                _registration.Unregister();
                WriteOutcome outcome;
                try
                {
                    outcome = _cache!.SettleWrite(_guard!, _memoryKey!, _entry, _ticket, task, _telemetryStart, _token);
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

        /// <summary>The multiplexer looked at its nodes again: the second send, unless the caller already left.</summary>
        private void OnReconfigured()
        {
            if (Volatile.Read(ref _pending) != 0)
            {
                try
                {
                    _task = _database!.StringSetAsync(_redisKey, new ReadOnlyMemory<byte>(_bytes!, 0, _length), _ttl);
                }
                catch (Exception ex)
                {
                    _task = Task.FromException<bool>(ex);
                }
            }

            // Settles with the second send's outcome (or the first one's when the caller left): bytes, breaker, memory.
            _task!.ConfigureAwait(false).GetAwaiter().UnsafeOnCompleted(_onTaskCompleted);
        }

        private void OnTimer()
        {
            var callId = Volatile.Read(ref _pending);
            if (callId == 0)
            {
                return;
            }

            // A firing left over from an earlier write of this pooled object, or a timer a tick early: wait for the rest.
            var elapsed = _time.GetElapsedTime(_startedAt);
            if (elapsed < _timeout)
            {
                _timer.Change(_timeout - elapsed + TimeSpan.FromMilliseconds(1), Timeout.InfiniteTimeSpan);
                return;
            }

            if (Interlocked.CompareExchange(ref _pending, 0, callId) == callId)
            {
                _registration.Unregister();
                var timeout = new TimeoutException();
                if (_telemetryStart != 0)
                {
                    _cache!.RecordRedisDuration("SET", _telemetryStart, timeout);
                }

                Set(NotConfirmed(timeout, _token));
            }
        }

        private void OnCancelled(CancellationToken token)
        {
            // A registration left over from an earlier write carries another token (or the same one, already cancelled:
            // then this write is cancelled too, as Task.WaitAsync would have it).
            var callId = Volatile.Read(ref _pending);
            if (callId == 0 || token != _token || Interlocked.CompareExchange(ref _pending, 0, callId) != callId)
            {
                return;
            }

            _timer.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
            Set(NotConfirmed(new OperationCanceledException(token), token));
        }

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
                _core.SetException(toCaller);
            }
            else
            {
                _core.SetResult(outcome.Confirmed);
            }
        }

        bool IValueTaskSource<bool>.GetResult(short token) => GetResult(token);

        void IValueTaskSource.GetResult(short token) => GetResult(token);

        private bool GetResult(short token)
        {
            if (token != _core.Version)
            {
                // A second consumption: refuse it without releasing, or a live object would go back to the pool.
                throw new InvalidOperationException("This write's result was already consumed.");
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

            _cache = null;
            _memoryKey = null;
            _guard = null;
            _entry = null;
            _ticket = default;
            _task = null;
            _database = null;
            _redisKey = default;
            _token = default;
            _registration = default;
            _core.Reset();
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

            if (ReferenceEquals(item._time, time))
            {
                return item;
            }

            // Another TimeProvider (tests with fake time): its timer belongs to that provider.
            item._timer.Dispose();
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

            write._timer.Dispose();
        }
    }
}
