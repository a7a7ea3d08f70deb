using System;
using System.Threading.Tasks;
using StackExchange.Redis;

namespace RedisCaching.Internal.Engine;

/// <summary>
/// When the key a read filled memory from ends in Redis, as its <c>PTTL</c> said: memory's copy must not outlive it.
/// The envelope's expiry is not enough, because another program may have shortened the key's TTL
/// (<c>PEXPIRE</c>, <c>EXPIRE</c>) and a <c>GET</c> does not return the TTL; Redis announces the key's end only once
/// it deletes the key, which on a large database may be minutes later (README, "A TTL shortened from outside").
/// </summary>
/// <remarks>
/// The bound is counted from a clock read taken before the <c>PTTL</c> was sent, so it is never later than the key's
/// end in Redis. It does not matter whether the <c>PTTL</c> ran before or after the <c>GET</c>: every change to the key
/// after the read's fill ticket was taken (a new TTL, a write, a deletion, an expiry) brings an invalidation that
/// voids the fill or drops what it stored.
/// </remarks>
/// <param name="AtUnixMs">The end (Unix ms); <see cref="long.MaxValue"/>: none; 0: not known (memory is not filled).</param>
internal readonly record struct RedisExpiryBound(long AtUnixMs)
{
    /// <summary>No answer (not asked, failed): the read returns its value without filling memory.</summary>
    public static RedisExpiryBound Unknown => default;

    /// <summary>
    /// Redis named no end: the key has no TTL, or it was gone by the time the <c>PTTL</c> ran (StackExchange.Redis
    /// answers null for both). The second is safe too where the tier tracks keys: that deletion brings an invalidation
    /// (see the remarks). In backplane mode no change from outside is announced anyway (README, "The in-process tier").
    /// </summary>
    public static RedisExpiryBound None => new(long.MaxValue);

    /// <summary>Whether memory may be filled under this bound.</summary>
    public bool IsKnown => AtUnixMs != 0;

    /// <summary>Where to send the <c>PTTL</c> of <see cref="Key"/> if the read fills memory (<see cref="ToAsk"/>).</summary>
    public IDatabaseAsync? AskOn { get; private init; }

    /// <summary>The key <see cref="AskOn"/> asks for.</summary>
    public RedisKey Key { get; private init; }

    /// <summary>For <see cref="AskOn"/>: when the read began asking (the bound is counted from it).</summary>
    public long AskedAtUnixMs { get; private init; }

    /// <summary>
    /// A read that went in an <c>MGET</c>: its <c>PTTL</c> is sent on <paramref name="database"/> only once the read
    /// knows it fills memory (<see cref="AnswerToAwait"/>), and only after its <c>MGET</c> was answered. So a server
    /// that hangs gets none, and an entry the read cannot keep (unusable, removed by tag, sliding) costs none.
    /// </summary>
    public static RedisExpiryBound ToAsk(IDatabaseAsync database, RedisKey key, long askedAtUnixMs) =>
        new(0) { AskOn = database, Key = key, AskedAtUnixMs = askedAtUnixMs };

    /// <summary>The answer a fill waits for: a <c>PTTL</c> sent now on <see cref="AskOn"/>; null when none can be had.</summary>
    public Task<TimeSpan?>? AnswerToAwait()
    {
        if (AskOn is null)
        {
            return null;
        }

        try
        {
            return AskOn.KeyTimeToLiveAsync(Key);
        }
        catch (Exception)
        {
            // Not sent (the connection disposed meanwhile, say): memory just does not keep the value.
            return null;
        }
    }

    /// <summary>The bound a <c>PTTL</c> answered with, asked at <paramref name="askedAtUnixMs"/> or later.</summary>
    public static RedisExpiryBound From(TimeSpan? timeToLive, long askedAtUnixMs) =>
        timeToLive is { } left ? new(askedAtUnixMs + Math.Max(0, (long)left.TotalMilliseconds)) : None;

    /// <summary>
    /// The bound of a <c>PTTL</c> sent at <paramref name="askedAtUnixMs"/> that already answered (or should have):
    /// <see cref="Unknown"/> when it failed or has not answered (observed either way).
    /// </summary>
    public static RedisExpiryBound Of(Task<TimeSpan?> timeToLive, long askedAtUnixMs)
    {
        if (timeToLive.IsCompletedSuccessfully)
        {
            return From(timeToLive.Result, askedAtUnixMs);
        }

        TaskFailures.Observe(timeToLive);
        return Unknown;
    }

    /// <summary><paramref name="expiresAtUnixMs"/>, or the bound if it comes first.</summary>
    public long Cap(long expiresAtUnixMs) => Math.Min(expiresAtUnixMs, AtUnixMs);
}
