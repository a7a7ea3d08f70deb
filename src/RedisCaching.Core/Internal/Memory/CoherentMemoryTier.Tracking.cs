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
    private int _checking;

    private async Task EnableTrackingAsync(CancellationToken token)
    {
        if (_onCluster)
        {
            await EnableClusterTrackingAsync(token).ConfigureAwait(false);
            return;
        }

        var server = PrimaryServer();

        // OFF first: harmless when off, required when the redirect went stale (ON alone then fails with "prefix
        // overlaps"); and a server or ACL that refuses tracking says so here, before anything else is set up.
        await server.ExecuteAsync("CLIENT", "TRACKING", "OFF").WaitAsync(token).ConfigureAwait(false);
        if (!_trackingSubscribed)
        {
            // Subscribed once: StackExchange.Redis resubscribes by itself after reconnects. A queue, not a handler:
            // see CoherentMemoryTier.Inbox.cs for why and who drains it.
            var inbox = await _multiplexer!.GetSubscriber().SubscribeAsync(InvalidateChannel).WaitAsync(token).ConfigureAwait(false);
            DrainWhenNobodyReads(inbox);
            AddInbox(inbox);
            _trackingSubscribed = true;
        }

        await RedirectTrackingAsync(server, ClientName, token).ConfigureAwait(false);
    }

    /// <summary>Turns tracking on for <paramref name="server"/>'s interactive connection, redirected to our subscription there.</summary>
    private async Task RedirectTrackingAsync(IServer server, string clientName, CancellationToken token)
    {
        var subscriptionId = await FindSubscriptionIdAsync(server, clientName).WaitAsync(token).ConfigureAwait(false)
            ?? throw new InvalidOperationException($"The tracking subscription connection on {server.EndPoint} is not (re)subscribed yet.");
        await server.ExecuteAsync("CLIENT", "TRACKING", "ON", "REDIRECT", subscriptionId, "BCAST", "PREFIX", _trackingPrefix, "NOLOOP")
            .WaitAsync(token).ConfigureAwait(false);
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
    private static async Task<long?> FindSubscriptionIdAsync(IServer server, string clientName)
    {
        long? found = null;
        foreach (var client in await server.ClientListAsync().ConfigureAwait(false))
        {
            // Newest wins: a killed connection may linger in the list for a moment after its replacement appeared.
            if (string.Equals(client.Name, clientName, StringComparison.Ordinal)
                && (client.ClientType == ClientType.PubSub || client.SubscriptionCount > 0)
                && (found is null || client.Id > found))
            {
                found = client.Id;
            }
        }

        return found;
    }

    private void OnInvalidateMessage(RedisValue message)
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

            if (_onCluster && await FindClusterPrimariesChangeAsync().ConfigureAwait(false) is { } change)
            {
                if (NoReenableSince(requests))
                {
                    Log.MemoryTierClusterPrimariesChanged(_logger, change);
                    RequestReenable("the cluster's primaries changed", flush: true);
                }

                return;
            }

            var problem = _onCluster
                ? await FindClusterRedirectProblemAsync().ConfigureAwait(false)
                : await FindRedirectProblemAsync(PrimaryServer(), ClientName).ConfigureAwait(false);
            if (problem is not null && NoReenableSince(requests))
            {
                Log.MemoryTierRedirectBroken(_logger, problem);
                RequestReenable("broken redirect", flush: true);
            }
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

    /// <summary>Whether no re-enable was requested since <paramref name="requests"/> (one that was already dealt with what a check found).</summary>
    private bool NoReenableSince(long requests)
    {
        lock (_stateGate)
        {
            return requests == _reenableRequests && Mode == CacheCoherenceMode.Tracking;
        }
    }

    /// <summary>Why tracking on <paramref name="server"/> no longer reaches our subscription there, or null when it does.</summary>
    private static async Task<string?> FindRedirectProblemAsync(IServer server, string clientName)
    {
        var info = TrackingInfo.Parse(await server.ExecuteAsync("CLIENT", "TRACKINGINFO").ConfigureAwait(false));

        // Only the redirect target is looked up (CLIENT LIST ID, Redis 6.2+): a full CLIENT LIST every few
        // seconds from every instance would cost the server O(clients) each time.
        var target = info.Redirect > 0
            ? ClientListEntry.ParseFirst((string?)await server.ExecuteAsync("CLIENT", "LIST", "ID", info.Redirect).ConfigureAwait(false))
            : null;
        var isOurSubscriber = target is { } t && string.Equals(t.Name, clientName, StringComparison.Ordinal) && t.IsSubscriber;
        return info.Problem(isOurSubscriber ? info.Redirect : null);
    }
}
