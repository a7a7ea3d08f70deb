using System;
using System.Threading.Tasks;
using StackExchange.Redis;

namespace RedisCaching.Internal.Engine;

/// <summary>
/// The <c>PTTL</c>s of a pipelined batch of reads (a many-key read, the tag tokens a read lacks): each sent just before
/// its key's read on the same connection, so it has answered once the reads have; then taken as
/// <see cref="RedisExpiryBound"/>s. With no clock reading (0: memory cannot keep what is read) nothing is sent and every
/// bound is unknown. Whatever is not taken (the reads failed) is observed by <see cref="ObserveUntaken"/>.
/// </summary>
internal readonly struct PipelinedTimesToLive
{
    private readonly Task<TimeSpan?>?[]? _asked;
    private readonly long _askedAtUnixMs;

    /// <param name="count">The reads in the batch.</param>
    /// <param name="askedAtUnixMs">A clock reading taken before the first <c>PTTL</c> is sent; 0 to send none.</param>
    public PipelinedTimesToLive(int count, long askedAtUnixMs)
    {
        _asked = askedAtUnixMs == 0 ? null : new Task<TimeSpan?>?[count];
        _askedAtUnixMs = askedAtUnixMs;
    }

    /// <summary>Sends the <c>PTTL</c> of read <paramref name="index"/>'s key; call it just before that read is sent.</summary>
    public void Ask(IDatabaseAsync database, int index, RedisKey key)
    {
        if (_asked is not null)
        {
            _asked[index] = database.KeyTimeToLiveAsync(key);
        }
    }

    /// <summary>Read <paramref name="index"/>'s bound, once the reads answered (unknown when it failed or was not sent).</summary>
    public RedisExpiryBound Take(int index)
    {
        if (_asked?[index] is not { } asked)
        {
            return RedisExpiryBound.Unknown;
        }

        _asked[index] = null;
        return RedisExpiryBound.Of(asked, _askedAtUnixMs);
    }

    /// <summary>Observes the <c>PTTL</c>s not taken, so a failure among them is not left to the finalizer.</summary>
    public void ObserveUntaken()
    {
        foreach (var asked in _asked ?? [])
        {
            TaskFailures.Observe(asked);
        }
    }
}
