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
    /// The <c>PTTL</c> sent just before a GET that has answered: its reply came first on the same connection, but
    /// StackExchange.Redis may complete the two tasks out of order, so now and then it is not completed yet. Awaited
    /// (within what is left of the budget) rather than filled later, so a read that returns has filled memory and
    /// the next read of the key is a memory hit. Never throws.
    /// </summary>
    private async ValueTask<RedisExpiryBound> TimeToLiveAnsweredAsync(Task<TimeSpan?> timeToLive, long askedAtUnixMs)
    {
        try
        {
            return RedisExpiryBound.From(await BudgetedCall<TimeSpan?>.WaitAsync(timeToLive, LeftSince(askedAtUnixMs), _time, CancellationToken.None).ConfigureAwait(false), askedAtUnixMs);
        }
        catch (Exception)
        {
            // A failure or the budget spent: the value read stays good, memory just does not keep it.
            return RedisExpiryBound.Unknown;
        }
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
            var timeToLive = await BudgetedCall<TimeSpan?>.WaitAsync(answer, LeftSince(askedAtUnixMs), _time, CancellationToken.None).ConfigureAwait(false);
            _memory.CompleteFill(memoryKey, ticket, entry.EndingBy(RedisExpiryBound.From(timeToLive, askedAtUnixMs).AtUnixMs));
        }
        catch (Exception)
        {
            // A failure, a timeout, a cache disposed meanwhile: memory keeps nothing, and the next read asks Redis.
        }
    }

    /// <summary>What is left of a read's budget that began asking at <paramref name="askedAtUnixMs"/> (zero or less: spent, a timeout at once).</summary>
    private TimeSpan LeftSince(long askedAtUnixMs) => _redisTimeout - TimeSpan.FromMilliseconds(NowUnixMs - askedAtUnixMs);
}
