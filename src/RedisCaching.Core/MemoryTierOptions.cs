using System;

namespace RedisCaching;

/// <summary>
/// The in-process tier (L1): its bounds, its lifetime backstop and how it stays coherent with Redis.
/// </summary>
public sealed class MemoryTierOptions
{
    /// <summary>The placeholder in <see cref="BackplaneChannel"/> that is replaced by the cache's key prefix.</summary>
    public const string PrefixPlaceholder = "{prefix}";

    /// <summary>Whether the in-process tier is used at all.</summary>
    /// <value>The default value is <see langword="true"/>.</value>
    public bool Enabled { get; set; } = true;

    /// <summary>The most entries held; beyond it the least recently used ones (approximately) are evicted.</summary>
    /// <value>The default value is 10,000.</value>
    public int MaxEntries { get; set; } = 10_000;

    /// <summary>The most bytes held, by the entries' estimated sizes; an entry larger than this is never held.</summary>
    /// <value>The default value is 64 MiB.</value>
    public long MaxBytes { get; set; } = 64L * 1024 * 1024;

    /// <summary>
    /// The longest an entry lives in the tier, even while invalidations flow and even when its Redis expiry is
    /// later: a backstop against an invalidation lost without any sign. An entry never outlives its own hard expiry either.
    /// </summary>
    /// <value>The default value is 5 minutes.</value>
    public TimeSpan MaxEntryLifetime { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// The pub/sub channel used when the server refuses <c>CLIENT TRACKING</c>; <c>{prefix}</c> is replaced by
    /// the cache's key prefix, so caches with different prefixes do not hear each other.
    /// </summary>
    /// <value>The default value is <c>rediscaching:v1:invalidate:{prefix}</c>.</value>
    public string BackplaneChannel { get; set; } = "rediscaching:v1:invalidate:" + PrefixPlaceholder;

    /// <summary>
    /// The oldest a value served from the tier may be after another client changed it in Redis: a bound the tier
    /// enforces, not an estimate. Invalidations travel on their own connection and are normally applied within a
    /// millisecond, but a host whose threads are all busy can read them late. So the tier pings Redis through that
    /// connection (every few milliseconds while it serves reads); a reply proves that every invalidation Redis sent
    /// before the ping has been read. A memory hit is served only while the last proof is younger than this bound;
    /// otherwise the read goes to Redis (and a memory copy is kept only as a fail-safe fallback). An instance idle for
    /// a second stops pinging, so its first read after that goes to Redis. <see cref="System.Threading.Timeout.InfiniteTimeSpan"/>
    /// turns the bound (and the pings) off: hits then rely on invalidations arriving in time.
    /// </summary>
    /// <value>The default value is 25 milliseconds; at least 10 milliseconds.</value>
    public TimeSpan MaxStaleness { get; set; } = TimeSpan.FromMilliseconds(25);

    /// <summary>
    /// How often the tracking redirect is checked. RESP2 gives no signal when the redirect breaks (for example
    /// after <c>CLIENT KILL TYPE pubsub</c>), so a broken one is found by looking; until then invalidations may be lost.
    /// </summary>
    /// <value>The default value is 5 seconds.</value>
    public TimeSpan RedirectCheckInterval { get; set; } = TimeSpan.FromSeconds(5);
}
