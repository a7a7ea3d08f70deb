using System;
using System.Threading;
using System.Threading.Tasks;
using StackExchange.Redis;

namespace RedisCaching.Internal.Engine;

/// <summary>The key's TTL for a read that fills memory, when it did not come with the GET (see <see cref="RedisExpiryBound"/>).</summary>
internal sealed partial class RedisCache
{
    /// <summary>
    /// The bound for a read whose value is in hand but whose <c>PTTL</c> is not: <paramref name="pending"/> when one was
    /// sent and has not answered yet, otherwise a <c>PTTL</c> sent now (a read that went in an <c>MGET</c>, or while
    /// connecting). Awaited within what is left of the read's budget, counted from <paramref name="askedAtUnixMs"/>
    /// (when the read began asking: earlier than the <c>PTTL</c>, so the bound is never late). Never throws: without an
    /// answer the read returns its value and memory is not filled.
    /// </summary>
    private async ValueTask<RedisExpiryBound> AskTimeToLiveAsync(RedisKey key, Task<TimeSpan?>? pending, long askedAtUnixMs, CancellationToken cancellationToken)
    {
        var left = _redisTimeout - TimeSpan.FromMilliseconds(NowUnixMs - askedAtUnixMs);
        if (left <= TimeSpan.Zero)
        {
            RedisExpiryBound.Observe(pending);
            return RedisExpiryBound.Unknown;
        }

        try
        {
            if (pending is null)
            {
                var multiplexer = await _connection.GetMultiplexerAsync(cancellationToken).ConfigureAwait(false);
                pending = multiplexer.GetDatabase().KeyTimeToLiveAsync(key);
            }

            return RedisExpiryBound.From(await BudgetedCall<TimeSpan?>.WaitAsync(pending, left, _time, cancellationToken).ConfigureAwait(false), askedAtUnixMs);
        }
        catch (Exception)
        {
            // A failure, a timeout or the caller's cancellation: the value read stays good, memory just does not keep it.
            return RedisExpiryBound.Unknown;
        }
    }
}
