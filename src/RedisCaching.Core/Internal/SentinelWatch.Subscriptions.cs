using System;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using StackExchange.Redis;

namespace RedisCaching.Internal;

/// <summary>
/// The subscriptions to the sentinels' failover events, one per sentinel. A sentinel that is down at start is subscribed
/// once it connects (checked at every poll), not waited for: a subscription on a connection that is not up waits in
/// StackExchange.Redis's backlog until its timeout, and the start (the cache's first connect) would wait with it.
/// Whether the events reach us is decided per poll: with no subscribed sentinel connected, the failover is followed
/// by the polls alone (<see cref="FollowFailoverByPoll"/>).
/// </summary>
internal sealed partial class SentinelWatch
{
    // A sentinel's subscription state (ints, for Interlocked and Volatile).
    private const int NotSubscribed = 0;
    private const int Subscribing = 1;
    private const int Subscribed = 2;
    private const int EventsRefused = 3;

    /// <summary>Per sentinel (by index): whether its events are subscribed, or refused for good.</summary>
    private int[] _subscriptions = [];

    /// <summary>Sentinels subscribed to, of those connected now (for tests and logs).</summary>
    internal int LiveEventSources
    {
        get
        {
            ConnectionMultiplexer?[] sentinels;
            lock (_gate)
            {
                sentinels = _sentinels;
            }

            var states = Volatile.Read(ref _subscriptions);
            var live = 0;
            for (var i = 0; i < sentinels.Length && i < states.Length; i++)
            {
                if (Volatile.Read(ref states[i]) == Subscribed && sentinels[i] is { IsConnected: true })
                {
                    live++;
                }
            }

            return live;
        }
    }

    /// <summary>Whether a subscribed sentinel is connected now, so its events would tell us of a failover.</summary>
    private bool HasLiveEventSource() => LiveEventSources != 0;

    /// <summary>Subscribes, in parallel, to every connected sentinel not subscribed yet (nor refused for good).</summary>
    private async Task SubscribeWhereMissingAsync(ConnectionMultiplexer?[] sentinels)
    {
        var states = Volatile.Read(ref _subscriptions);
        var pending = Enumerable.Range(0, Math.Min(sentinels.Length, states.Length))
            .Where(i => sentinels[i] is { IsConnected: true } && Interlocked.CompareExchange(ref states[i], Subscribing, NotSubscribed) == NotSubscribed)
            .Select(i => SubscribeAsync(sentinels[i]!, i, states))
            .ToArray();
        if (pending.Length != 0)
        {
            await Task.WhenAll(pending).ConfigureAwait(false);
        }
    }

    private async Task SubscribeAsync(ConnectionMultiplexer sentinel, int index, int[] states)
    {
        var endpoint = _source.EndPoints[index].ToString() ?? "?";
        var state = NotSubscribed;
        try
        {
            var subscriber = sentinel.GetSubscriber();
            await subscriber.SubscribeAsync(FailoverStartingChannel, (_, message) => OnFailoverStarting(message)).ConfigureAwait(false);
            await subscriber.SubscribeAsync(PromotedChannel, (_, message) => OnPromoted(message)).ConfigureAwait(false);
            await subscriber.SubscribeAsync(SwitchChannel, (_, message) => OnSwitch(message)).ConfigureAwait(false);
            await subscriber.SubscribeAsync(AbortChannel, (_, message) => OnAbort(message)).ConfigureAwait(false);
            state = Subscribed;
        }
        catch (RedisServerException ex) when (CommandRefusal.IsRefusedForGood(ex.Message))
        {
            // Polls still work (SENTINEL MASTER is allowed), but without the events a failover is seen up to a poll
            // late, and writes reach the old primary meanwhile: say what to grant.
            Log.SentinelEventsRefused(_logger, _serviceName, endpoint, ex.Message);
            state = EventsRefused;
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            // Tried again at the next poll (a subscription already made stays: StackExchange.Redis makes it again on
            // reconnects, and subscribing twice to a channel is harmless).
            Log.SentinelWatchFailed(_logger, endpoint, ex.Message);
        }
        finally
        {
            Volatile.Write(ref states[index], state);
        }
    }
}
