using System;
using System.Threading;
using System.Threading.Tasks;
using RedisCaching.Internal.Memory;

namespace RedisCaching.Internal.Engine;

/// <summary>
/// The fill of a read whose <c>PTTL</c> had not answered when its value was in hand (a read that went in an <c>MGET</c>,
/// see <see cref="RedisExpiryBound"/>): the read returns at once, so neither its caller nor the callers that joined its
/// flight wait a second round trip.
/// </summary>
internal sealed partial class RedisCache
{
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
