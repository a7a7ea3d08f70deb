using System;
using System.Linq;
using System.Net;
using System.Threading;
using System.Threading.Tasks;
using StackExchange.Redis;

namespace RedisCaching.Internal;

/// <summary>
/// Following a failover without the sentinels' events (their user lacks channel access, or the subscribed sentinels
/// are down): the polls are all there is, so they come faster, and the replica the leader selected is found in its
/// replica list (flag <c>promoted</c>) and watched as its <c>+failover-state-send-slaveof-noone</c> event would have
/// it. Without that, the new primary would be followed only once the leader switches its address, which it does after
/// its next INFO of the promoted replica and the reconfiguration of the others: a second or more after the promotion,
/// while calls are held off.
/// </summary>
internal sealed partial class SentinelWatch
{
    /// <summary>The poll period while polls alone follow failovers (no live event source, or a failover a poll marked).</summary>
    private static readonly TimeSpan PollOnlyInterval = TimeSpan.FromMilliseconds(250);

    /// <summary>The period the poll timer runs at (under the lock).</summary>
    private TimeSpan _pollEvery;

    /// <summary>The failover (its number in <see cref="_failoverMarks"/>) whose selected replica is watched already (under the lock).</summary>
    private long _promotionWatchedFor;

    /// <summary>How often to poll now: faster while the polls alone follow failovers.</summary>
    private TimeSpan PollPace => !HasLiveEventSource() || Volatile.Read(ref _failoverFlaggedBy) >= 0 ? PollOnlyInterval : PollInterval;

    /// <summary>Moves the poll timer to <see cref="PollPace"/> when that changed (events lost or back, a poll-marked failover).</summary>
    private void KeepPollPace()
    {
        var pace = PollPace;
        lock (_gate)
        {
            if (_poll is { } poll && _pollEvery != pace)
            {
                _pollEvery = pace;
                poll.Change(pace, pace);
            }
        }
    }

    /// <summary>
    /// Under the lock: whether the replica selected for the failover under way is still to be watched, claiming it if so
    /// (the leader's event and a poll may both find it; one watch is enough).
    /// </summary>
    private bool ClaimPromotionWatch()
    {
        if (!FailoverInProgress || _promotionWatchedFor == _failoverMarks)
        {
            return false;
        }

        _promotionWatchedFor = _failoverMarks;
        return true;
    }

    /// <summary>
    /// During a failover a poll marked, until its selected replica is watched: asks the sentinels that flagged it in this
    /// poll for the replica flagged <c>promoted</c> (only the leader selects one, and may not have yet: the next poll
    /// asks again), and watches its ROLE.
    /// </summary>
    private async Task WatchSelectedReplicaAsync(ConnectionMultiplexer?[] sentinels, bool[] flagging)
    {
        for (var i = 0; i < sentinels.Length; i++)
        {
            if (!flagging[i] || sentinels[i] is not { IsConnected: true } sentinel)
            {
                continue;
            }

            lock (_gate)
            {
                if (_failoverFlaggedBy < 0 || !FailoverInProgress || _promotionWatchedFor == _failoverMarks || _disposing.IsCancellationRequested)
                {
                    return;
                }
            }

            try
            {
                var replicas = await sentinel.GetServers()[0].SentinelReplicasAsync(_serviceName).WaitAsync(PollInterval).ConfigureAwait(false);
                if (SelectedReplica(replicas) is not { } selected)
                {
                    continue;
                }

                bool claimed;
                lock (_gate)
                {
                    claimed = _failoverFlaggedBy >= 0 && ClaimPromotionWatch();
                }

                if (claimed)
                {
                    _ = WatchPromotionAsync(selected);
                }

                return;
            }
            catch (RedisServerException)
            {
                // Refused (an ACL without SENTINEL REPLICAS) or the service is unknown there: the polls still follow the switch.
            }
            catch (Exception ex) when (ex is RedisException or TimeoutException)
            {
                // That sentinel is down or slow; the next poll asks again.
            }
        }
    }

    /// <summary>The replica a sentinel lists with the flag <c>promoted</c> (selected for promotion), if any.</summary>
    private static EndPoint? SelectedReplica(System.Collections.Generic.KeyValuePair<string, string>[][] replicas)
    {
        foreach (var replica in replicas)
        {
            string? Field(string name) => replica.FirstOrDefault(f => f.Key == name).Value;
            if (Field("flags") is { } flags && flags.Split(',').Contains("promoted", StringComparer.Ordinal)
                && Field("ip") is { } ip && Field("port") is { } port && ParseEndPoint(ip, port) is { } selected)
            {
                return selected;
            }
        }

        return null;
    }
}
