using System;
using System.Security.Cryptography;
using System.Text;

namespace RedisCaching.Internal.Engine;

/// <summary>
/// The fixed parts of the cross-process stampede lock: its key, its lifetime, how often a waiter looks again, and
/// the release script.
/// </summary>
internal static class StampedeLock
{
    /// <summary>
    /// Lock keys are <c>{fixed prefix}!lock:{memory key}</c>. Cache keys may not contain <c>!</c> (CacheKeyOptions
    /// rejects it in AllowedPunctuation), so no cache key can name a lock, and the lock stays under the cache's
    /// prefix (so <c>~prefix:*</c> ACL patterns cover it).
    /// </summary>
    public const string KeyMarker = "!lock:";

    /// <summary>
    /// Compare-and-delete: only the holder's own token deletes the lock. A lock that expired and was taken by another
    /// process since has another token and is left alone.
    /// </summary>
    public const string ReleaseScript = "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0";

    /// <summary>
    /// The script's SHA-1, by which it is called (EVALSHA). StackExchange.Redis only loads scripts itself when admin
    /// commands are allowed (SCRIPT is an admin command to it), so the release sends EVALSHA and, on NOSCRIPT (first
    /// use on a server, <c>SCRIPT FLUSH</c>, a restart, a failover), EVAL, which loads the script for the next call.
    /// </summary>
#pragma warning disable CA5350 // Redis names scripts by their SHA-1; nothing here depends on its strength.
    public static readonly byte[] ReleaseScriptSha1 = SHA1.HashData(Encoding.UTF8.GetBytes(ReleaseScript));
#pragma warning restore CA5350

    /// <summary>The first pause of a waiter before it re-reads the entry; it doubles up to <see cref="MaxPoll"/>.</summary>
    public static readonly TimeSpan FirstPoll = TimeSpan.FromMilliseconds(5);

    /// <summary>
    /// The longest pause between two looks of a waiter: bounds how late it sees the value (and its load on Redis: a
    /// GET, and a SET NX when the value is not there yet, per look).
    /// </summary>
    public static readonly TimeSpan MaxPoll = TimeSpan.FromMilliseconds(50);

    public static TimeSpan NextPoll(TimeSpan delay) => delay * 2 < MaxPoll ? delay * 2 : MaxPoll;

    /// <summary>
    /// How long a lock lives if its holder never releases it (a crashed process): the factory's hard timeout when there
    /// is one (the holder gives up by then), otherwise the wait itself (nobody waits longer anyway), plus two Redis
    /// budgets for the store and the release.
    /// </summary>
    public static TimeSpan Ttl(ResolvedEntryOptions resolved, TimeSpan wait, TimeSpan redisTimeout) =>
        (resolved.FactoryHardTimeout ?? wait) + redisTimeout + redisTimeout;

    /// <summary>A token per acquisition, so a release can tell its own lock from a later holder's.</summary>
    public static string NewToken() => Guid.NewGuid().ToString("N");
}
