using System;
using System.Threading;
using System.Threading.Tasks;
using StackExchange.Redis;

namespace RedisCaching.Internal.Memory;

/// <summary>
/// CLIENT TRACKING in BCAST mode, redirected to this multiplexer's RESP2 subscription connection (redis-usage.md §2).
/// </summary>
internal sealed partial class CoherentMemoryTier
{
    private static readonly RedisChannel InvalidateChannel = RedisChannel.Literal("__redis__:invalidate");
    private bool _trackingSubscribed;
    private long _redirectId;
    private int _checking;

    private async Task EnableTrackingAsync(CancellationToken token)
    {
        var server = PrimaryServer();

        // OFF first: harmless when off, required when the redirect went stale (ON alone then fails with "prefix
        // overlaps"); and a server or ACL that refuses tracking says so here, before anything else is set up.
        await server.ExecuteAsync("CLIENT", "TRACKING", "OFF").WaitAsync(token).ConfigureAwait(false);
        if (!_trackingSubscribed)
        {
            // Subscribed once: StackExchange.Redis resubscribes by itself after reconnects. A queue, not a handler:
            // see CoherentMemoryTier.Inbox.cs for why and who drains it.
            var inbox = await _multiplexer!.GetSubscriber().SubscribeAsync(InvalidateChannel).WaitAsync(token).ConfigureAwait(false);
            inbox.OnMessage(OnInvalidateMessage);
            Volatile.Write(ref _inbox, inbox);
            _trackingSubscribed = true;
        }

        var subscriptionId = await FindSubscriptionIdAsync(server).WaitAsync(token).ConfigureAwait(false)
            ?? throw new InvalidOperationException("The tracking subscription connection is not (re)subscribed yet.");
        await server.ExecuteAsync("CLIENT", "TRACKING", "ON", "REDIRECT", subscriptionId, "BCAST", "PREFIX", _trackingPrefix, "NOLOOP")
            .WaitAsync(token).ConfigureAwait(false);
        Interlocked.Exchange(ref _redirectId, subscriptionId);
    }

    private IServer PrimaryServer()
    {
        if (SentinelPrimaryServer() is { } sentinelPrimary)
        {
            return sentinelPrimary;
        }

        foreach (var server in _multiplexer!.GetServers())
        {
            if (server.IsConnected && !server.IsReplica)
            {
                return server;
            }
        }

        throw new InvalidOperationException("No connected primary for the memory tier's tracking connection.");
    }

    /// <summary>The id of our subscription connection; there is no public API for it, so CLIENT LIST it is.</summary>
    private async Task<long?> FindSubscriptionIdAsync(IServer server)
    {
        long? found = null;
        foreach (var client in await server.ClientListAsync().ConfigureAwait(false))
        {
            // Newest wins: a killed connection may linger in the list for a moment after its replacement appeared.
            if (string.Equals(client.Name, ClientName, StringComparison.Ordinal)
                && (client.ClientType == ClientType.PubSub || client.SubscriptionCount > 0)
                && (found is null || client.Id > found))
            {
                found = client.Id;
            }
        }

        return found;
    }

    private void OnInvalidateMessage(RedisChannel channel, RedisValue message)
    {
        // RESP2 delivers a key array as one call per key; a null is FLUSHDB/FLUSHALL.
        if (message.IsNull)
        {
            Flush("server flush");
            Interlocked.Increment(ref _invalidationsReceived);
            return;
        }

        Invalidate((string)message!);
    }

    private void OnRedirectCheckTimer()
    {
        if (Mode != CacheCoherenceMode.Tracking || Volatile.Read(ref _loopActive) == 1 || Interlocked.CompareExchange(ref _checking, 1, 0) != 0)
        {
            return;
        }

        _ = CheckRedirectAsync();
    }

    /// <summary>RESP2 never says the redirect broke (CLIENT KILL TYPE pubsub): look, and re-enable if it did.</summary>
    private async Task CheckRedirectAsync()
    {
        try
        {
            long requests;
            lock (_stateGate)
            {
                requests = _reenableRequests;
            }

            var server = PrimaryServer();
            var info = TrackingInfo.Parse(await server.ExecuteAsync("CLIENT", "TRACKINGINFO").ConfigureAwait(false));

            // Only the redirect target is looked up (CLIENT LIST ID, Redis 6.2+): a full CLIENT LIST every few
            // seconds from every instance would cost the server O(clients) each time.
            var target = info.Redirect > 0
                ? ClientListEntry.ParseFirst((string?)await server.ExecuteAsync("CLIENT", "LIST", "ID", info.Redirect).ConfigureAwait(false))
                : null;
            var isOurSubscriber = target is { } t && string.Equals(t.Name, ClientName, StringComparison.Ordinal) && t.IsSubscriber;
            var problem = info.Problem(isOurSubscriber ? info.Redirect : null);
            if (problem is null)
            {
                return;
            }

            lock (_stateGate)
            {
                // A re-enable that ran meanwhile already dealt with it.
                if (requests != _reenableRequests || Mode != CacheCoherenceMode.Tracking)
                {
                    return;
                }
            }

            Log.MemoryTierRedirectBroken(_logger, problem);
            RequestReenable("broken redirect", flush: true);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException or ObjectDisposedException or InvalidOperationException)
        {
            // Connection trouble raises its own events, which re-enable.
        }
        finally
        {
            Volatile.Write(ref _checking, 0);
        }
    }
}
