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
/// caller is not told about). The cache asks the multiplexer to look at the nodes again (once for all the writes that
/// hit the demoted node together) and sends the write once more within what is left of the caller's budget (the SET in
/// <see cref="PendingWrite"/>, every other write in CallRedisAsync). A command answered READONLY was applied nowhere (a
/// script's writes are refused from its first one), so sending it again cannot apply it twice.
/// </summary>
internal sealed partial class RedisCache
{
    /// <summary>At most one reconfiguration per this interval: a node that stays read-only (a misconfigured endpoint)
    /// must not turn every write into a topology scan.</summary>
    private static readonly TimeSpan ReconfigureInterval = TimeSpan.FromMilliseconds(500);

    private readonly Lock _reconfigureGate = new();
    private Task _reconfiguring = Task.CompletedTask;
    private long _reconfigureStartedAt;

    /// <summary>Whether <paramref name="exception"/> is Redis's <c>READONLY</c> reply (a write sent to a replica).</summary>
    internal static bool IsReadOnlyReply(Exception? exception) =>
        exception is RedisServerException && exception.Message.StartsWith("READONLY", StringComparison.Ordinal);

    /// <summary>
    /// Has <paramref name="multiplexer"/> look at its nodes' roles again; the task ends when it has (it never faults).
    /// Joins a reconfiguration under way, and returns the last one (perhaps already complete) when it started less than
    /// <see cref="ReconfigureInterval"/> ago.
    /// </summary>
    private Task ReconfigureAfterReadOnly(IConnectionMultiplexer multiplexer)
    {
        lock (_reconfigureGate)
        {
            if (!_reconfiguring.IsCompleted
                || (_reconfigureStartedAt != 0 && _time.GetElapsedTime(_reconfigureStartedAt) < ReconfigureInterval))
            {
                return _reconfiguring;
            }

            _reconfigureStartedAt = _time.GetTimestamp();
            _reconfiguring = ReconfigureAsync(multiplexer);
            return _reconfiguring;
        }

        static async Task ReconfigureAsync(IConnectionMultiplexer multiplexer)
        {
            try
            {
                await multiplexer.ConfigureAsync().ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is RedisException or TimeoutException or ObjectDisposedException)
            {
                // The writes that wait on it are sent again anyway and report their own failure.
            }
        }
    }

    /// <summary>
    /// Reconfigures the multiplexer the engine's writes go through (the same choice as RunWithinBudgetAsync makes): for
    /// a write answered READONLY that is sent again (CallRedisAsync), and from <see cref="RecordRedisFailure"/> for any
    /// READONLY that reached the caller (a write whose second send was refused too), so the next writes reach the new
    /// primary. Complete at once when the main connection is not up (then there is nothing to look at again).
    /// </summary>
    private Task ReconfigureWriteConnection()
    {
        if (_memory.TakesOwnWrites)
        {
            return ReconfigureAfterReadOnly(_memory.WriteDatabase.Multiplexer);
        }

        var connecting = _connection.GetMultiplexerAsync();
        return connecting.IsCompletedSuccessfully ? ReconfigureAfterReadOnly(connecting.Result) : Task.CompletedTask;
    }
}
