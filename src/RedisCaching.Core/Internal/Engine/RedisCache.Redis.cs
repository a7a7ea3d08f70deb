using System;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Threading;
using System.Threading.Tasks;
using StackExchange.Redis;

namespace RedisCaching.Internal.Engine;

/// <summary>Every Redis call of the engine goes through here: circuit breaker, time budget, failure policy.</summary>
internal sealed partial class RedisCache
{
    /// <summary>
    /// Runs <paramref name="operation"/> against Redis within <c>RedisTimeout</c>. A failure is a result (Ok = false)
    /// unless <c>ThrowOnRedisFailure</c> is set. A timed-out call keeps running inside StackExchange.Redis; its result
    /// is dropped, so the caller is never held past the budget.
    /// </summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<RedisOutcome<TResult>> CallRedisAsync<TState, TResult>(
        string operationName,
        TState state,
        Func<IDatabaseAsync, TState, Task<TResult>> operation,
        bool write,
        CancellationToken cancellationToken)
    {
        var guard = typeof(TState) == typeof(RedisKey) ? GuardFor(Unsafe.As<TState, RedisKey>(ref state)) : _guard;
        if (!TryEnterRedis(guard))
        {
            return default;
        }

        var verdict = false;
        var startedAt = RedisCallStarted();

        // A write answered READONLY is sent again within what is left of the budget (RedisCache.ReadOnly.cs).
        var writeStartedAt = write ? _time.GetTimestamp() : 0;
        try
        {
            // The connection is acquired inside the budget too: the first call while Redis hangs must not wait
            // for the connect timeout.
            TResult result;
            try
            {
                result = await RunWithinBudgetAsync(state, operation, write, _redisTimeout, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (write && IsReadOnlyReply(ex) && _time.GetElapsedTime(writeStartedAt) < _redisTimeout)
            {
                result = await RunAgainAfterReadOnlyAsync(state, operation, writeStartedAt, ReadOnlyRechecksStarted, cancellationToken).ConfigureAwait(false);
            }

            verdict = true;
            RedisCallSucceeded(operationName, guard, startedAt);
            return new RedisOutcome<TResult>(true, result);
        }
        catch (Exception ex) when (IsRedisFailure(ex, cancellationToken))
        {
            verdict = true;
            RedisCallFailed(operationName, guard, startedAt, ex);
            return default;
        }
        finally
        {
            if (!verdict)
            {
                guard.Abandon();
            }
        }
    }

    /// <summary>
    /// The breaker's admission of a call (what <see cref="CallRedisAsync"/> and the GET of a read, which inlines it,
    /// share): false when it is open (counted; thrown instead with <c>ThrowOnRedisFailure</c>). A true result must be
    /// followed by <see cref="RedisCallSucceeded"/>, <see cref="RedisCallFailed"/> or <c>guard.Abandon()</c>.
    /// </summary>
    private bool TryEnterRedis(RedisGuard guard)
    {
        if (guard.TryEnter())
        {
            return true;
        }

        Counters.SkippedOpen();
        return _throwOnRedisFailure
            ? throw new CacheUnavailableException("The circuit breaker around Redis is open; the cache is not calling it for now.")
            : false;
    }

    /// <summary>When a call started, for its duration metric; 0 (no clock read) when nobody listens.</summary>
    private static long RedisCallStarted() =>
        Telemetry.CacheInstruments.RedisOperationDuration.Enabled ? Stopwatch.GetTimestamp() : 0;

    private void RedisCallSucceeded(string operationName, RedisGuard guard, long startedAt)
    {
        guard.Success();
        if (startedAt != 0)
        {
            RecordRedisDuration(operationName, startedAt, null);
        }
    }

    /// <summary>A failed call: counted, logged, told to the breaker; thrown as <see cref="CacheUnavailableException"/> with <c>ThrowOnRedisFailure</c>.</summary>
    private void RedisCallFailed(string operationName, RedisGuard guard, long startedAt, Exception exception)
    {
        if (startedAt != 0)
        {
            RecordRedisDuration(operationName, startedAt, exception);
        }

        RecordRedisFailure(operationName, exception, guard);
        if (_throwOnRedisFailure)
        {
            throw new CacheUnavailableException($"Redis failed during {operationName}.", exception);
        }
    }

    /// <summary>
    /// Starts the command and waits for it within the budget. When the connection is up (the usual case) the database
    /// is at hand and only the command is timed, by a pooled <see cref="BudgetedCall{TResult}"/> (no allocation);
    /// otherwise the connect is inside the budget too, the way it always was (rare: start-up, reconnects).
    /// </summary>
    private ValueTask<TResult> RunWithinBudgetAsync<TState, TResult>(TState state, Func<IDatabaseAsync, TState, Task<TResult>> operation, bool write, TimeSpan budget, CancellationToken cancellationToken)
    {
        // Our writes go through the tracked NOLOOP connection when there is one, so they do not invalidate us.
        if (write && _memory.TakesOwnWrites)
        {
            return BudgetedCall<TResult>.WaitAsync(operation(_memory.WriteDatabase, state), budget, _time, cancellationToken);
        }

        var connecting = _connection.GetMultiplexerAsync(cancellationToken);
        if (connecting.IsCompletedSuccessfully)
        {
            return BudgetedCall<TResult>.WaitAsync(operation(connecting.Result.GetDatabase(), state), budget, _time, cancellationToken);
        }

        return RunAfterConnectAsync(connecting, state, operation, budget, cancellationToken);
    }

    /// <summary>
    /// The slow path of a call made while the connection is not up (start-up, reconnects): the connect
    /// <paramref name="connecting"/> (asked for once: asking again would drop that one unobserved, and repeat a
    /// hold-off's side effects), then the command, both inside <paramref name="budget"/>.
    /// </summary>
    private ValueTask<TResult> RunAfterConnectAsync<TState, TResult>(ValueTask<IConnectionMultiplexer> connecting, TState state, Func<IDatabaseAsync, TState, Task<TResult>> operation, TimeSpan budget, CancellationToken cancellationToken) =>
        new(RunAfterConnectAsync(connecting, state, operation).WaitAsync(budget, _time, cancellationToken));

    /// <summary>
    /// A write answered READONLY: waits (within the budget) for a re-check of the write connection's roles that started
    /// after the reply (<paramref name="rechecksStarted"/>: the count read once the reply was in hand), then sends the
    /// command again with what is left of the budget; as long as that is answered READONLY too, again after the next
    /// re-check (they are rate-limited, so this is no hot loop). The budget running out fails the call as any Redis
    /// failure does.
    /// </summary>
    private async Task<TResult> RunAgainAfterReadOnlyAsync<TState, TResult>(TState state, Func<IDatabaseAsync, TState, Task<TResult>> operation, long writeStartedAt, int rechecksStarted, CancellationToken cancellationToken)
    {
        while (true)
        {
            await ReconfigureWriteConnection(rechecksStarted).WaitAsync(Left(writeStartedAt), _time, cancellationToken).ConfigureAwait(false);
            try
            {
                return await RunWithinBudgetAsync(state, operation, write: true, Left(writeStartedAt), cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (IsReadOnlyReply(ex) && _time.GetElapsedTime(writeStartedAt) < _redisTimeout)
            {
                // Still the demoted node: the multiplexer had not switched yet when the last re-check ran.
                rechecksStarted = ReadOnlyRechecksStarted;
            }
        }
    }

    /// <summary>What is left of the budget of a call that started at <paramref name="startedAt"/> (at least 1 ms, so a
    /// wait with it ends as a timeout rather than throwing on a negative time).</summary>
    private TimeSpan Left(long startedAt) => TimeSpan.FromTicks(Math.Max(TimeSpan.TicksPerMillisecond, (_redisTimeout - _time.GetElapsedTime(startedAt)).Ticks));

    private static async Task<TResult> RunAfterConnectAsync<TState, TResult>(ValueTask<IConnectionMultiplexer> connecting, TState state, Func<IDatabaseAsync, TState, Task<TResult>> operation)
    {
        var multiplexer = await connecting.ConfigureAwait(false);
        return await operation(multiplexer.GetDatabase(), state).ConfigureAwait(false);
    }

    /// <summary><c>db.client.operation.duration</c> with the OpenTelemetry Redis semantic conventions' attributes (never the key).</summary>
    private void RecordRedisDuration(string operationName, long startedAt, Exception? failure)
    {
        var tags = new TagList
        {
            { "db.system.name", "redis" },
            { "db.operation.name", CommandOf(operationName) },
            { RedisCachingTelemetry.CacheNameTag, Name },
        };
        if (_server.Address is { } address)
        {
            tags.Add("server.address", address);
            tags.Add("server.port", _server.PortTag);
        }

        if (failure is not null)
        {
            tags.Add("error.type", failure.GetType().FullName);
        }

        Telemetry.CacheInstruments.RedisOperationDuration.Record(Stopwatch.GetElapsedTime(startedAt).TotalSeconds, tags);
    }

    /// <summary>The Redis command behind one of the engine's operation labels (constants, so the tag stays low-cardinality).</summary>
    private static string CommandOf(string operationName) => operationName switch
    {
        "LOCK" or "SET tag" or "SET NX tag" => "SET",
        "UNLOCK" or "EVAL touch" => "EVAL",
        "GET many" or "GET tag" => "GET",
        _ => operationName,
    };

    private static bool IsRedisFailure(Exception exception, CancellationToken cancellationToken) =>
        exception is RedisException or TimeoutException or ObjectDisposedException
        || (exception is OperationCanceledException && !cancellationToken.IsCancellationRequested);

    private void RecordRedisFailure(string operationName, Exception exception, RedisGuard guard)
    {
        Counters.RedisFailure();
        Log.CacheRedisCallFailed(_logger, operationName, exception.GetType().Name, exception);

        // A server error reply (WRONGTYPE, NOPERM, OOM) says Redis is up: for the breaker it is a success.
        if (exception is RedisServerException)
        {
            // READONLY: the multiplexer still takes a demoted node for the primary (RedisCache.ReadOnly.cs).
            if (IsReadOnlyReply(exception))
            {
                _ = ReconfigureWriteConnection(ReadOnlyRechecksStarted);
            }

            guard.Success();
            return;
        }

        var openedBefore = guard.TimesOpened;
        guard.Failure();
        if (guard.TimesOpened != openedBefore)
        {
            Log.CircuitOpened(_logger, Counters.RedisFailures, _breakDuration);
        }
    }

    /// <summary>
    /// The breaker for a call on <paramref name="key"/>: on a cluster, the one of the primary serving it (see
    /// <see cref="NodeBreakers"/>); elsewhere, and for calls on several keys or other state (many-key reads, tags,
    /// locks, sliding touches), the one around all of Redis.
    /// </summary>
    private RedisGuard GuardFor(in RedisKey key)
    {
        if (_connection is not RedisConnection { IsCluster: true })
        {
            return _guard;
        }

        var connecting = _connection.GetMultiplexerAsync();
        return connecting.IsCompletedSuccessfully ? _nodeBreakers.For(connecting.Result, key) ?? _guard : _guard;
    }

    /// <summary>The result of a guarded Redis call; <c>default</c> is a failure.</summary>
    private readonly record struct RedisOutcome<TResult>(bool Ok, TResult Value);
}
