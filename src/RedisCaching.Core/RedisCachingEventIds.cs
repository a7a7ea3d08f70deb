namespace RedisCaching;

/// <summary>
/// Event ids of RedisCaching's log messages, so operators can filter and alert on them. Core uses 1000-1999;
/// each later package gets its own range.
/// </summary>
public static class RedisCachingEventIds
{
    /// <summary>A multiplexer is connecting (endpoints and pool index).</summary>
    public const int Connecting = 1000;

    /// <summary>The first connect finished (status and server count).</summary>
    public const int Connected = 1001;

    /// <summary>A physical connection failed; StackExchange.Redis reconnects by itself.</summary>
    public const int ConnectionFailed = 1002;

    /// <summary>A physical connection was restored.</summary>
    public const int ConnectionRestored = 1003;

    /// <summary>The server sent an error message not tied to a caller's command.</summary>
    public const int ServerErrorMessage = 1004;

    /// <summary>StackExchange.Redis reported an internal error.</summary>
    public const int InternalError = 1005;

    /// <summary>The server configuration or topology changed (e.g. a replica was promoted).</summary>
    public const int ConfigurationChanged = 1006;

    /// <summary>The connection status changed.</summary>
    public const int StatusChanged = 1007;

    /// <summary>The host handed in its own multiplexer; RedisCaching will not dispose it.</summary>
    public const int UsingExternalMultiplexer = 1008;

    /// <summary>The connect failed and the options ask to abort on connect failure.</summary>
    public const int ConnectFailed = 1009;

    /// <summary>A connection attempt (first connect or reconnect) failed before the Redis handshake completed: refused, wrong password, rejected certificate, ….</summary>
    public const int ConnectionAttemptFailed = 1010;

    /// <summary>A <see cref="IRedisConnection.HealthChanged"/> handler threw; the exception was logged and swallowed.</summary>
    public const int HealthHandlerFailed = 1011;

    /// <summary>
    /// The connection through sentinels is not up: the sentinels were asked why (none answers, the service name is
    /// unknown to them, or the primary they name cannot be connected). Logged once per connect; the connection keeps retrying.
    /// </summary>
    public const int SentinelConnectFailed = 1012;

    /// <summary>
    /// The sentinels started promoting a replica of the service: Redis calls through the connection are refused (as
    /// failures the cache degrades on) until the new primary is connected, so no write reaches the old primary.
    /// </summary>
    public const int SentinelFailoverStarted = 1013;

    /// <summary>The connection follows the sentinels' new primary; says how long Redis calls were held off.</summary>
    public const int SentinelPrimaryFollowed = 1014;

    /// <summary>The sentinels name a new primary for the service.</summary>
    public const int SentinelPrimaryAnnounced = 1015;

    /// <summary>A sentinel could not be watched (down, refused the credentials) or a watch handler failed; the others carry on.</summary>
    public const int SentinelWatchFailed = 1016;

    /// <summary>
    /// A failover was not followed: aborted by the sentinels, or no new primary named in time (calls resume on the current
    /// primary), or the new primary could not be connected (calls stay held off while it is tried again).
    /// </summary>
    public const int SentinelFailoverAbandoned = 1017;

    /// <summary>
    /// A sentinel refused our subscription to its failover events (its ACL user lacks channel access): failovers are
    /// followed by polling instead (every 250 ms while no sentinel gives its events), a poll late. The message says which channels to grant.
    /// </summary>
    public const int SentinelEventsRefused = 1018;

    /// <summary>A cache call to Redis failed or ran past <c>RedisTimeout</c>; the call degraded (Debug: one per call).</summary>
    public const int CacheRedisCallFailed = 1200;

    /// <summary>The circuit breaker around Redis opened.</summary>
    public const int CircuitOpened = 1201;

    /// <summary>A stored entry could not be read (foreign bytes, unknown format version, corrupt header, a type change).</summary>
    public const int UnreadableEntry = 1202;

    /// <summary>The factory failed or timed out and fail-safe served a stale value.</summary>
    public const int FactoryFailedServedStale = 1203;

    /// <summary>A factory running in the background failed; the old value stays.</summary>
    public const int BackgroundFactoryFailed = 1204;

    /// <summary>
    /// The server refused scripts (Garnet without --lua, an ACL without scripting), said once: sliding extensions use a
    /// plain PEXPIRE, which may also extend a newer value's TTL; a get-or-set over an entry it could not use replaces it
    /// without checking that no other write landed meanwhile; lazily marked tag lists are not compacted.
    /// </summary>
    public const int SlidingScriptsRefused = 1205;

    /// <summary>The same event as <see cref="SlidingScriptsRefused"/> (1205), under the name of what it says now: every scripted path falls back.</summary>
    public const int ScriptsRefused = SlidingScriptsRefused;

    /// <summary>A get-or-set that returned before its Redis write was acknowledged (<c>BackgroundRedisWrite</c>) could not finish that write's bookkeeping.</summary>
    public const int BackgroundWriteFailed = 1206;

    /// <summary>Redis could not answer for the cross-process stampede lock; the factory ran without it (Debug).</summary>
    public const int StampedeLockUnavailable = 1210;

    /// <summary>Another process held the stampede lock; this one waits for its value (Debug).</summary>
    public const int StampedeLockWaiting = 1211;

    /// <summary>The value from another process's factory arrived while waiting (Debug, with the wait in ms).</summary>
    public const int StampedeLockValueArrived = 1212;

    /// <summary>The wait for another process's factory ran out; the factory ran here (or a stale value was served).</summary>
    public const int StampedeLockWaitTimedOut = 1213;

    /// <summary>A stampede lock had expired or passed to another process before its holder released it (the factory outlived the lock).</summary>
    public const int StampedeLockLost = 1214;

    /// <summary>An eager refresh was left to the process holding the stampede lock (Debug).</summary>
    public const int StampedeLockRefreshLeft = 1215;

    /// <summary>The in-process tier became coherent for the first time (mode: tracking or backplane, and the tracking prefix).</summary>
    public const int MemoryTierCoherent = 1100;

    /// <summary>The server refused <c>CLIENT TRACKING</c> (reason given); the in-process tier uses the pub/sub backplane.</summary>
    public const int MemoryTierFallbackToBackplane = 1101;

    /// <summary>The in-process tier was emptied (reason and number of entries dropped).</summary>
    public const int MemoryTierFlushed = 1102;

    /// <summary>The in-process tier is coherent again after a reconnect or a broken redirect.</summary>
    public const int MemoryTierReenabled = 1103;

    /// <summary>The periodic check found the tracking redirect broken; tracking is re-enabled and the tier flushed.</summary>
    public const int MemoryTierRedirectBroken = 1104;

    /// <summary>An attempt to (re)establish the invalidation stream failed; it is retried with back-off.</summary>
    public const int MemoryTierEnableFailed = 1105;

    /// <summary>A connection of the in-process tier's tracking multiplexer failed; the tier holds nothing until it is back.</summary>
    public const int MemoryTierStreamLost = 1106;

    /// <summary>The in-process tier could not start; memory caching stays off (safe), the cache works from Redis.</summary>
    public const int MemoryTierStartFailed = 1107;

    /// <summary>
    /// The server refused the PING on the invalidation connection that keeps the staleness lease (reason given), so
    /// <c>Memory:MaxStaleness</c> cannot be enforced there and is treated as off for this tier: hits rely on
    /// invalidations arriving in time. Logged once per tier.
    /// </summary>
    public const int MemoryTierLeaseUnavailable = 1108;

    /// <summary>
    /// On a Redis Cluster, the in-process tier has tracking on every primary that serves slots (their number and
    /// addresses): logged each time the set is (re)established.
    /// </summary>
    public const int MemoryTierClusterTracking = 1109;

    /// <summary>
    /// The periodic check found the cluster's primaries changed (a node promoted, demoted, added or removed): the
    /// in-process tier flushes and tracks the new set.
    /// </summary>
    public const int MemoryTierClusterPrimariesChanged = 1110;

    /// <summary>
    /// A turn of the in-process tier's lease thread (applying arrived invalidations, sending a ping) failed with an
    /// unexpected exception, e.g. from a logger provider; the thread goes on, and the lease runs out by itself meanwhile.
    /// </summary>
    public const int MemoryTierLeaseTurnFailed = 1111;
}
