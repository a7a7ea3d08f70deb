using StackExchange.Redis;

namespace RedisCaching.Invalidation.Internal;

/// <summary>One <c>SCAN</c> reply: the next cursor (a string: it may exceed a signed 64-bit number) and the keys (RESP2 and RESP3 share the shape).</summary>
internal readonly record struct ScanPage(RedisValue Cursor, RedisKey[] Keys)
{
    public static ScanPage Parse(RedisResult reply)
    {
        var parts = (RedisResult[]?)reply;
        if (parts is not { Length: 2 })
        {
            throw new RedisException("SCAN returned something that is not [cursor, keys].");
        }

        return new ScanPage((RedisValue)parts[0], (RedisKey[]?)parts[1] ?? []);
    }
}
