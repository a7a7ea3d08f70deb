using System;
using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;
using System.Threading;
using System.Threading.Tasks;
using RedisCaching.Internal.Memory;
using StackExchange.Redis;

namespace RedisCaching.Internal.Engine;

/// <summary>
/// Sends a built entry: the breaker, the SET within the budget (<see cref="PendingWrite"/>), and how each outcome
/// settles memory.
/// </summary>
internal sealed partial class RedisCache
{
    /// <summary>
    /// SETs the entry within the Redis budget, then updates memory. Takes over <paramref name="bytes"/> (pooled): they go
    /// back to the pool only once StackExchange.Redis is done with them, even when the budget ran out first, because
    /// returning them earlier would let the pool hand the same memory to another entry before it is sent: a wrong value
    /// for this key. Our writes travel on the NOLOOP connection, so Redis never tells us about them: every way out that
    /// is not a confirmed success leaves memory safe by itself (<see cref="AfterUncertainWrite"/>).
    /// </summary>
    private ValueTask WriteNow(string memoryKey, RedisKey redisKey, byte[] bytes, int length, MemoryEntry? entry, FillTicket ticket, TimeSpan ttl, WriteCondition condition, CancellationToken cancellationToken)
    {
        var guard = GuardFor(redisKey);
        if (!guard.TryEnter())
        {
            ArrayPool<byte>.Shared.Return(bytes);
            Counters.SkippedOpen();
            AfterUncertainWrite(memoryKey, ticket);
            return _throwOnRedisFailure
                ? ValueTask.FromException(new CacheUnavailableException("The circuit breaker around Redis is open; the cache is not calling it for now."))
                : default;
        }

        var pendingDatabase = WriteDatabaseAsync(cancellationToken);
        if (!pendingDatabase.IsCompletedSuccessfully || _memory.UsesBackplane)
        {
            // Connecting (start-up, reconnect), or the backplane's publish after the write: the async path.
            return WriteAfterConnectAsync(pendingDatabase, guard, memoryKey, redisKey, bytes, length, entry, ticket, ttl, condition, cancellationToken);
        }

        // The usual case costs no state machine: the pooled PendingWrite waits for the SET and settles it.
        var telemetryStart = SetTimingStart();
        var database = pendingDatabase.Result;
        var write = Send(database, redisKey, bytes, length, ttl, condition, out var notSent);
        if (write is null)
        {
            return WriteNotConfirmed(guard, memoryKey, ticket, notSent!, cancellationToken) is { } toCaller ? ValueTask.FromException(toCaller) : default;
        }

        return PendingWrite.StartWithoutResult(this, guard, memoryKey, entry, ticket, bytes, write, new PendingWrite.SetCommand(database, redisKey, length, ttl, condition), _redisTimeout, telemetryStart, cancellationToken);
    }

    /// <summary>The breaker was entered; the connect, when there is one, is inside the budget too.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask WriteAfterConnectAsync(ValueTask<IDatabaseAsync> pendingDatabase, RedisGuard guard, string memoryKey, RedisKey redisKey, byte[] bytes, int length, MemoryEntry? entry, FillTicket ticket, TimeSpan ttl, WriteCondition condition, CancellationToken cancellationToken)
    {
        IDatabaseAsync database;
        var budget = _redisTimeout;
        try
        {
            if (pendingDatabase.IsCompletedSuccessfully)
            {
                database = pendingDatabase.Result;
            }
            else
            {
                var connectStartedAt = _time.GetTimestamp();
                database = await pendingDatabase.AsTask().WaitAsync(_redisTimeout, _time, cancellationToken).ConfigureAwait(false);
                budget -= _time.GetElapsedTime(connectStartedAt);
            }
        }
        catch (Exception ex)
        {
            ArrayPool<byte>.Shared.Return(bytes);
            ThrowIfAny(WriteNotConfirmed(guard, memoryKey, ticket, ex, cancellationToken));
            return;
        }

        var telemetryStart = SetTimingStart();
        var write = Send(database, redisKey, bytes, length, ttl, condition, out var notSent);
        if (write is null)
        {
            ThrowIfAny(WriteNotConfirmed(guard, memoryKey, ticket, notSent!, cancellationToken));
            return;
        }

        var confirmed = await PendingWrite.Start(this, guard, memoryKey, entry, ticket, bytes, write, new PendingWrite.SetCommand(database, redisKey, length, ttl, condition), budget, telemetryStart, cancellationToken).ConfigureAwait(false);
        if (confirmed && _memory.UsesBackplane)
        {
            await PublishOwnWriteAsync((string)redisKey!).ConfigureAwait(false);
        }
    }

    /// <summary>Starts the SET; null (and the bytes back in the pool) when StackExchange.Redis refused it at once.</summary>
    private Task<bool>? Send(IDatabaseAsync database, RedisKey redisKey, byte[] bytes, int length, TimeSpan ttl, WriteCondition condition, out Exception? notSent)
    {
        notSent = null;
        try
        {
            return SetWhen(database, redisKey, new ReadOnlyMemory<byte>(bytes, 0, length), ttl, condition);
        }
        catch (Exception ex)
        {
            ArrayPool<byte>.Shared.Return(bytes);
            notSent = ex;
            return null;
        }
    }

    /// <summary>When the SET's duration is measured (<c>db.client.operation.duration</c>): a timestamp, 0 when nobody listens.</summary>
    private static long SetTimingStart() => Telemetry.CacheInstruments.RedisOperationDuration.Enabled ? System.Diagnostics.Stopwatch.GetTimestamp() : 0;

    /// <summary>Settles a completed SET: its duration (when measured), the breaker's verdict, then memory.</summary>
    private WriteOutcome SettleWrite(RedisGuard guard, string memoryKey, MemoryEntry? entry, FillTicket ticket, Task<bool> write, long telemetryStart, CancellationToken cancellationToken)
    {
        if (write.IsCompletedSuccessfully)
        {
            if (telemetryStart != 0)
            {
                RecordRedisDuration("SET", telemetryStart, null);
            }

            guard.Success();
            if (!write.Result)
            {
                // A fill's condition failed (SET NX found the key, or the entry it would replace was replaced by
                // another client meanwhile): Redis keeps that value, so ours must not reach memory. Dropped and fills in
                // flight refused, as after our own write.
                _memory.CompleteOwnWrite(memoryKey, ticket, null);
                return new WriteOutcome(false, null);
            }

            Counters.Set();
            _memory.CompleteOwnWrite(memoryKey, ticket, entry);
            return new WriteOutcome(true, null);
        }

        Exception failure = write.IsCanceled ? new TaskCanceledException(write) : write.Exception!.InnerException ?? write.Exception!;
        if (telemetryStart != 0 && IsRedisFailure(failure, cancellationToken))
        {
            RecordRedisDuration("SET", telemetryStart, failure);
        }

        return new WriteOutcome(false, WriteNotConfirmed(guard, memoryKey, ticket, failure, cancellationToken));
    }

    /// <summary>
    /// A SET that failed, timed out or was cancelled (the breaker was entered): the breaker's verdict (none when the
    /// caller cancelled), then the key in doubt. Returns what the caller gets: null for a counted no-op.
    /// </summary>
    private Exception? WriteNotConfirmed(RedisGuard guard, string memoryKey, FillTicket ticket, Exception failure, CancellationToken cancellationToken)
    {
        Exception? toCaller;
        if (IsRedisFailure(failure, cancellationToken))
        {
            RecordRedisFailure("SET", failure, guard);
            toCaller = _throwOnRedisFailure ? new CacheUnavailableException("Redis failed during SET.", failure) : null;
        }
        else
        {
            guard.Abandon();
            toCaller = failure;
        }

        AfterUncertainWrite(memoryKey, ticket);
        return toCaller;
    }

    private static void ThrowIfAny(Exception? toCaller)
    {
        if (toCaller is not null)
        {
            ExceptionDispatchInfo.Throw(toCaller);
        }
    }

    /// <summary>How a settled SET ends for the caller: confirmed, or not, with the exception to throw if any.</summary>
    private readonly record struct WriteOutcome(bool Confirmed, Exception? Exception);
}
