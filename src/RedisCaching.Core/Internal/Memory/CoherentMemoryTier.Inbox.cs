using System;
using System.Runtime.CompilerServices;
using System.Threading;
using StackExchange.Redis;

namespace RedisCaching.Internal.Memory;

/// <summary>
/// Where invalidations (tracking's, and the backplane's messages) wait until they are applied, and who applies them.
/// </summary>
/// <remarks>
/// StackExchange.Redis (3.x) runs an <c>Action</c> subscription handler through <c>ThreadPool.QueueUserWorkItem</c>
/// (the global queue), after its reader has already waited for a pool thread to parse the push. With every pool
/// thread busy (64 callers on 2 cores, mostly memory hits that never yield), the handler waited more than 10 ms
/// behind them often enough to serve hundreds of stale reads per Zipf run (benchmarks/README.md, "Peers", run 3).
/// A <see cref="ChannelMessageQueue"/> instead receives each message on the reader's own thread, as soon as it is
/// parsed. So the queue is drained by whoever touches the tier next (every memory read, fill ticket and write
/// checks it: an empty check reads the queue's count), by each ping reply before it extends the staleness lease, and
/// by the lease's own thread on every turn (every few milliseconds) when nobody reads. Not by StackExchange.Redis's
/// loop (<see cref="ChannelMessageQueue.OnMessage(System.Action{ChannelMessage})"/>) while the lease is on: that loop
/// waits in <c>ReadAsync</c>, and a channel hands each new message straight to a waiting reader, whose continuation
/// then waits for a pool thread: the very hop the queue is there to avoid (the reads found the queue empty
/// meanwhile). With the bound off (<see cref="MemoryTierOptions.MaxStaleness"/> infinite) there is no lease thread
/// and that loop drains when nobody reads. Applying an invalidation twice or in another order is harmless (a version
/// bump and a removal), so the drainers need no coordination.
/// </remarks>
internal sealed partial class CoherentMemoryTier
{
    /// <summary>One queue per invalidation stream: one on a standalone server, one per primary on a cluster, the backplane's.</summary>
    private ChannelMessageQueue[] _inboxes = [];

    /// <summary>Applies every invalidation that already arrived, on the caller's thread.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void ApplyArrivedInvalidations()
    {
        var inboxes = Volatile.Read(ref _inboxes);
        for (var i = 0; i < inboxes.Length; i++)
        {
            // A count, not a dequeue attempt: see ApplyWaiting for why nothing may leave the queue before the mark.
            if (!inboxes[i].TryGetCount(out var waiting) || waiting > 0)
            {
                ApplyWaiting(inboxes[i]);
            }
        }
    }

    /// <summary>Drainers that may hold messages they took and have not applied yet (see <see cref="AllTakenApplied"/>).</summary>
    private int _applying;

    /// <summary>
    /// Takes and applies what waits in <paramref name="inbox"/>. The drainer marks itself before its first dequeue:
    /// a message it holds is invisible to the others (the queue looks empty), so a ping reply must be able to tell that
    /// someone still holds one, however long this thread is preempted between the dequeue and the apply. Marking
    /// after the dequeue left those few instructions open. The hit path only counts (<c>TryGetCount</c> reads the
    /// queue's indices; it writes nothing shared), so the mark costs only when something arrived.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private void ApplyWaiting(ChannelMessageQueue inbox)
    {
        Interlocked.Increment(ref _applying);
        try
        {
            while (inbox.TryRead(out var message))
            {
                InvalidationTakenForTests?.Invoke();
                OnInboxMessage(message);
            }
        }
        finally
        {
            Interlocked.Decrement(ref _applying);
        }
    }

    /// <summary>Called by a drainer between taking a message and applying it; tests hold a drainer there.</summary>
    internal Action? InvalidationTakenForTests { get; set; }

    /// <summary>
    /// After a drain: whether no other drainer still holds a message it took (it may be applying a batch, or have
    /// been preempted), after a short spin that never sleeps (the caller may be StackExchange.Redis's reader). A ping
    /// reply extends the lease only then, since reads found the queue empty while such a message was in hand; if not,
    /// the next reply will. Every drainer is marked from before its dequeue (<see cref="ApplyWaiting"/>), so no
    /// message can be in hand unseen.
    /// </summary>
    private bool AllTakenApplied()
    {
        var spinner = default(SpinWait);
        while (Volatile.Read(ref _applying) != 0)
        {
            if (spinner.Count >= 20)
            {
                return false;
            }

            spinner.SpinOnce(sleep1Threshold: -1);
        }

        return true;
    }

    /// <summary>
    /// Adds a subscription's queue to the ones the reads drain. A tier disposed meanwhile (its <see cref="StopInbox"/> may
    /// have run before the add) stops it at once, so no loop is left waiting.
    /// </summary>
    private void AddInbox(ChannelMessageQueue inbox)
    {
        ChannelMessageQueue[] current;
        do
        {
            current = Volatile.Read(ref _inboxes);
        }
        while (Interlocked.CompareExchange(ref _inboxes, [.. current, inbox], current) != current);

        if (_disposing.IsCancellationRequested)
        {
            StopInbox();
        }
    }

    /// <summary>Who drains <paramref name="inbox"/> when no read does: the lease's thread, or without a lease SE.Redis's loop (see the remarks).</summary>
    private void DrainWhenNobodyReads(ChannelMessageQueue inbox)
    {
        if (_options.MaxStaleness == Timeout.InfiniteTimeSpan)
        {
            inbox.OnMessage(OnInboxMessage);
        }
    }

    /// <summary>Ends SE.Redis's loop over the queue, where there is one (disposing the multiplexer alone would leave it waiting forever).</summary>
    private void StopInbox()
    {
        foreach (var inbox in Interlocked.Exchange(ref _inboxes, []))
        {
            inbox.Unsubscribe(CommandFlags.FireAndForget);
        }
    }

    /// <summary>One message from any inbox: a backplane message or a tracking invalidation.</summary>
    private void OnInboxMessage(ChannelMessage message)
    {
        if (message.Channel == _backplaneChannel)
        {
            OnBackplaneMessage(message.Message);
        }
        else
        {
            OnInvalidateMessage(message.Message);
        }
    }
}
