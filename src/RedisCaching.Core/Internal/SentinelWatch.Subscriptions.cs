using System;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using StackExchange.Redis;

namespace RedisCaching.Internal;

/// <summary>
/// The subscriptions to the sentinels' failover events, one per sentinel. Only connected sentinels are subscribed to;
/// one that is down at start is subscribed after a later poll, once it connects: a subscription on a connection that
/// is not up waits in StackExchange.Redis's backlog until its timeout, and the start (the cache's first connect) would
/// wait with it. (The start still waits for every connect attempt: a closed port fails at once, a host that does not
/// answer takes the sentinel connections' 2 s connect timeout.)
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

    /// <summary>Subscription attempts made so far, on any sentinel (for tests).</summary>
    private int _subscribeAttempts;

    /// <summary>Per sentinel: 1 while its failed subscription attempts in a row have been logged once already.</summary>
    private int[] _subscribeFailureLogged = [];

    /// <summary>Subscription attempts made so far, on any sentinel (for tests: none on a sentinel that is not connected).</summary>
    internal int SubscribeAttempts => Volatile.Read(ref _subscribeAttempts);

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

    /// <summary><see cref="SubscribeWhereMissingAsync"/> for a caller that does not await it: whatever fails is logged, never unobserved.</summary>
    private async Task SubscribeWhereMissingLoggedAsync(ConnectionMultiplexer?[] sentinels)
    {
        try
        {
            await SubscribeWhereMissingAsync(sentinels).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            Log.SentinelWatchFailed(_logger, _serviceName, ex.Message);
        }
    }

    private async Task SubscribeAsync(ConnectionMultiplexer sentinel, int index, int[] states)
    {
        Interlocked.Increment(ref _subscribeAttempts);
        var endpoint = _source.EndPoints[index].ToString() ?? "?";
        var state = NotSubscribed;

        // The handlers of this attempt, kept to take them back if it fails: StackExchange.Redis registers a handler
        // before it sends SUBSCRIBE, so every failed attempt would otherwise leave one more behind (each event then
        // raised once per attempt).
        Action<RedisChannel, RedisValue>[] handlers =
        [
            (_, message) => OnFailoverStarting(message),
            (_, message) => OnPromoted(message),
            (_, message) => OnSwitch(message),
            (_, message) => OnAbort(message),
        ];
        RedisChannel[] channels = [FailoverStartingChannel, PromotedChannel, SwitchChannel, AbortChannel];
        ISubscriber? subscriber = null;
        try
        {
            subscriber = sentinel.GetSubscriber();
            for (var i = 0; i < channels.Length; i++)
            {
                await subscriber.SubscribeAsync(channels[i], handlers[i]).ConfigureAwait(false);
            }

            state = Subscribed;
            ClearFailureLogged(index);
        }
        catch (RedisServerException ex) when (CommandRefusal.IsRefusedForGood(ex.Message))
        {
            // Polls still work (SENTINEL MASTER is allowed), but without the events a failover is seen up to a poll
            // late, and writes reach the old primary meanwhile: say what to grant.
            Log.SentinelEventsRefused(_logger, _serviceName, endpoint, ex.Message);
            state = EventsRefused;
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException or ObjectDisposedException or OperationCanceledException)
        {
            // Tried again after the next poll (up to four times a second without events): logged once in a row.
            var logged = Volatile.Read(ref _subscribeFailureLogged);
            if (index >= logged.Length || Interlocked.Exchange(ref logged[index], 1) == 0)
            {
                Log.SentinelWatchFailed(_logger, endpoint, ex.Message);
            }
        }
        finally
        {
            if (state != Subscribed && subscriber is not null)
            {
                Unsubscribe(subscriber, channels, handlers);
            }

            Volatile.Write(ref states[index], state);
        }
    }

    private void ClearFailureLogged(int index)
    {
        var logged = Volatile.Read(ref _subscribeFailureLogged);
        if (index < logged.Length)
        {
            Volatile.Write(ref logged[index], 0);
        }
    }

    private static void Unsubscribe(ISubscriber subscriber, RedisChannel[] channels, Action<RedisChannel, RedisValue>[] handlers)
    {
        for (var i = 0; i < channels.Length; i++)
        {
            try
            {
                // Takes the handler off at once; the UNSUBSCRIBE, when it was the last one, goes when it can.
                subscriber.Unsubscribe(channels[i], handlers[i], CommandFlags.FireAndForget);
            }
            catch (Exception ex) when (ex is RedisException or TimeoutException or ObjectDisposedException)
            {
                // The connection is gone or going: nothing of it is left to deliver events.
            }
        }
    }
}
