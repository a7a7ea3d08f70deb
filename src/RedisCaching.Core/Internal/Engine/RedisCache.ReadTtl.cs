using System;
using System.Threading;
using System.Threading.Tasks;
using RedisCaching.Internal.Memory;
using StackExchange.Redis;

namespace RedisCaching.Internal.Engine;

/// <summary>The key's TTL for a read that fills memory, when it did not come with the GET (see <see cref="RedisExpiryBound"/>).</summary>
internal sealed partial class RedisCache
{
    /// <summary>
    /// The bound of a read whose value is in hand: the <c>PTTL</c> sent before its GET when that answered, otherwise one
    /// still to come: <paramref name="pending"/> (sent, not answered yet), or one sent now (a read that went in an
    /// <c>MGET</c>, or while connecting). The read does not wait for it: memory is filled when it answers
    /// (<see cref="FillWhenAnsweredAsync"/>), so the caller, and every caller that joined its flight, gets the value
    /// without a second round trip. Sent only now that a value came back from a server that answers.
    /// </summary>
    private RedisExpiryBound BoundAfterRead(RedisKey key, Task<TimeSpan?>? pending, long askedAtUnixMs)
    {
        if (pending is { IsCompleted: true })
        {
            return RedisExpiryBound.Of(pending, askedAtUnixMs);
        }

        if (pending is null)
        {
            var connecting = _connection.GetMultiplexerAsync(CancellationToken.None);
            if (!connecting.IsCompletedSuccessfully)
            {
                return RedisExpiryBound.Unknown;
            }

            try
            {
                pending = connecting.Result.GetDatabase().KeyTimeToLiveAsync(key);
            }
            catch (RedisException)
            {
                return RedisExpiryBound.Unknown;
            }
        }

        return RedisExpiryBound.Awaiting(pending, askedAtUnixMs);
    }

    /// <summary>
    /// Fills memory with <paramref name="entry"/> once its key's <c>PTTL</c> answers, for no longer than it says, under
    /// the read's ticket (an invalidation since the read voids it, however late this runs). Waits at most what is left
    /// of the read's budget; without an answer memory keeps nothing. Never throws (nobody awaits it).
    /// </summary>
    private async Task FillWhenAnsweredAsync(string memoryKey, FillTicket ticket, MemoryEntry entry, Task<TimeSpan?> answer, long askedAtUnixMs)
    {
        try
        {
            var left = _redisTimeout - TimeSpan.FromMilliseconds(NowUnixMs - askedAtUnixMs);
            var timeToLive = await BudgetedCall<TimeSpan?>.WaitAsync(answer, left, _time, CancellationToken.None).ConfigureAwait(false);
            _memory.CompleteFill(memoryKey, ticket, entry.EndingBy(RedisExpiryBound.From(timeToLive, askedAtUnixMs).AtUnixMs));
        }
        catch (Exception)
        {
            // A failure, a timeout, a cache disposed meanwhile: memory keeps nothing, and the next read asks Redis.
        }
    }
}
