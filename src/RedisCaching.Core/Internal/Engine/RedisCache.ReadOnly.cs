using System;
using System.Threading;
using System.Threading.Tasks;
using StackExchange.Redis;

namespace RedisCaching.Internal.Engine;

/// <summary>
/// Writes answered <c>READONLY</c>: the node the multiplexer holds for the primary was demoted (a coordinated
/// <c>FAILOVER</c>, a <c>REPLICAOF</c> by hand, a Sentinel or Cluster failover the client has not seen yet).
/// StackExchange.Redis does not act on that reply: it keeps sending every write to the demoted node until its next
/// periodic check (<c>ConfigCheckSeconds</c>, 60 s by default) or a broken connection, so without this the cache's
/// writes failed for up to a minute (and, with <c>ThrowOnRedisFailure</c> off, were dropped as counted no-ops the
/// caller is not told about). The cache asks the multiplexer to look at the nodes again (a re-check shared by the
/// writes that hit the demoted node together) and sends the write again within what is left of the caller's budget
/// (the SET in <see cref="PendingWrite"/>, every other write in CallRedisAsync), as often as it is answered READONLY:
/// sending it just once more was not enough (the multiplexer may not have switched yet, e.g. while <c>FAILOVER</c>
/// has demoted the old primary but not yet promoted the new one). A command answered READONLY was applied nowhere (a
/// script's writes are refused from its first one), so sending it again cannot apply it twice.
/// </summary>
/// <remarks>
/// Each send after a READONLY waits for a re-check that started after that reply: one that started before it may have
/// read the roles before they changed, so sending right after it could only be refused again. The re-checks start at
/// most once per <see cref="ReconfigureInterval"/>, which also paces the sends of a write to a node that stays
/// read-only: no hot loop, and no topology scan per write.
/// </remarks>
internal sealed partial class RedisCache
{
    /// <summary>At most one re-check started per this interval: a node that stays read-only (a misconfigured endpoint)
    /// must not turn every write into a topology scan.</summary>
    private static readonly TimeSpan ReconfigureInterval = TimeSpan.FromMilliseconds(500);

    private readonly Lock _reconfigureGate = new();

    /// <summary>The last re-check started (complete or not).</summary>
    private Task _reconfiguring = Task.CompletedTask;

    /// <summary>When <see cref="_reconfiguring"/> started (a <see cref="TimeProvider"/> timestamp).</summary>
    private long _reconfigureStartedAt;

    /// <summary>How many re-checks have started: a count, not a time, orders a reply and a re-check even on a clock
    /// that does not move (tests' fake time).</summary>
    private int _reconfigureStarts;

    /// <summary>A re-check asked for but not started yet (it waits for the one before and the interval), or null.</summary>
    private Task? _nextReconfigure;

    /// <summary>
    /// Whether <paramref name="exception"/> is Redis's <c>READONLY</c> reply (a write sent to a replica), also as a
    /// script's error (a fill's compare-and-set, RedisCache.Replace.cs), whose message may carry a prefix.
    /// </summary>
    internal static bool IsReadOnlyReply(Exception? exception) =>
        exception is RedisServerException
        && (exception.Message.StartsWith("READONLY", StringComparison.Ordinal) || exception.Message.Contains("READONLY You can't write", StringComparison.Ordinal));

    /// <summary>
    /// The re-checks started so far: read once a READONLY reply is in hand, it is what
    /// <see cref="ReconfigureAfterReadOnly"/> needs to wait for a re-check that started after that reply.
    /// </summary>
    internal int ReadOnlyRechecksStarted => Volatile.Read(ref _reconfigureStarts);

    /// <summary>
    /// Has <paramref name="multiplexer"/> look at its nodes' roles again; the task ends when a re-check that started
    /// after <paramref name="startedBefore"/> of them had (<see cref="ReadOnlyRechecksStarted"/> read after the reply)
    /// is complete. It never faults. Joins such a re-check when one is under way or done; otherwise starts one, at
    /// once when the last one is complete and started at least <see cref="ReconfigureInterval"/> ago, else as soon as
    /// both hold (one queued re-check for all the writes that ask meanwhile).
    /// </summary>
    internal Task ReconfigureAfterReadOnly(IConnectionMultiplexer multiplexer, int startedBefore)
    {
        TaskCompletionSource queued;
        Task previous;
        long previousStartedAt;
        lock (_reconfigureGate)
        {
            // Wrap-safe "a re-check started after the reply": the last one started is the newest.
            if (_reconfigureStarts - startedBefore > 0)
            {
                return _reconfiguring;
            }

            if (_nextReconfigure is { } next)
            {
                return next;
            }

            if (_reconfiguring.IsCompleted && (_reconfigureStarts == 0 || _time.GetElapsedTime(_reconfigureStartedAt) >= ReconfigureInterval))
            {
                _reconfigureStarts++;
                _reconfigureStartedAt = _time.GetTimestamp();
                _reconfiguring = ReconfigureAsync(multiplexer);
                return _reconfiguring;
            }

            queued = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _nextReconfigure = queued.Task;
            previous = _reconfiguring;
            previousStartedAt = _reconfigureStartedAt;
        }

        _ = ReconfigureLaterAsync(multiplexer, previous, previousStartedAt, queued);
        return queued.Task;
    }

    /// <summary>The queued re-check: starts once <paramref name="previous"/> is complete and the interval since its start
    /// has passed, then completes <paramref name="queued"/>.</summary>
    private async Task ReconfigureLaterAsync(IConnectionMultiplexer multiplexer, Task previous, long previousStartedAt, TaskCompletionSource queued)
    {
        try
        {
            await previous.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            var wait = ReconfigureInterval - _time.GetElapsedTime(previousStartedAt);
            if (wait > TimeSpan.Zero)
            {
                await Task.Delay(wait, _time).ConfigureAwait(false);
            }

            lock (_reconfigureGate)
            {
                _reconfigureStarts++;
                _reconfigureStartedAt = _time.GetTimestamp();
                _reconfiguring = queued.Task;
                _nextReconfigure = null;
            }

            await ReconfigureAsync(multiplexer).ConfigureAwait(false);
        }
        finally
        {
            // Whatever happened: the writes waiting on it must go on (a PendingWrite holds pooled bytes until then), and
            // a queued re-check that never started must not stay queued (complete, it would be joined without a wait).
            lock (_reconfigureGate)
            {
                if (_nextReconfigure == queued.Task)
                {
                    _nextReconfigure = null;
                }
            }

            queued.TrySetResult();
        }
    }

    private static async Task ReconfigureAsync(IConnectionMultiplexer multiplexer)
    {
        try
        {
            // False when StackExchange.Redis has a reconfiguration of its own under way: nothing to wait for here, and
            // a write still refused afterwards asks for the next re-check.
            await multiplexer.ConfigureAsync().ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException or ObjectDisposedException)
        {
            // The writes that wait on it are sent again anyway and report their own failure.
        }
    }

    /// <summary>
    /// Re-checks the multiplexer the engine's writes go through (the same choice as RunWithinBudgetAsync makes): for a
    /// write answered READONLY that is sent again (CallRedisAsync), and from <see cref="RecordRedisFailure"/> for any
    /// READONLY that reached the caller (a write whose budget ran out before a send was accepted), so the next writes
    /// reach the new primary. Complete at once when the main connection is not up (then there is nothing to look at
    /// again).
    /// </summary>
    private Task ReconfigureWriteConnection(int startedBefore)
    {
        if (_memory.TakesOwnWrites)
        {
            return ReconfigureAfterReadOnly(_memory.WriteDatabase.Multiplexer, startedBefore);
        }

        var connecting = _connection.GetMultiplexerAsync();
        return connecting.IsCompletedSuccessfully ? ReconfigureAfterReadOnly(connecting.Result, startedBefore) : Task.CompletedTask;
    }
}
