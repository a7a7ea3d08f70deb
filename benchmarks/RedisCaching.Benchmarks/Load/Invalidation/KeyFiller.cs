using System;
using System.Collections.Generic;
using System.Globalization;
using System.Threading.Tasks;
using StackExchange.Redis;

namespace RedisCaching.Benchmarks.Load.Invalidation;

/// <summary>Writes many keys fast: MSET of 1,000 keys per command, 8 commands in flight (no DEBUG POPULATE, no Lua).</summary>
internal static class KeyFiller
{
    private const int PerCommand = 1000;
    private const int InFlight = 8;

    /// <summary>Writes <c>{prefix}{i}</c> for i in [0, count) with the same value; returns the seconds it took.</summary>
    public static async Task<double> FillAsync(IDatabase database, string prefix, int count, byte[] value)
    {
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        var pending = new Queue<Task<bool>>();
        for (int from = 0; from < count; from += PerCommand)
        {
            int size = Math.Min(PerCommand, count - from);
            var pairs = new KeyValuePair<RedisKey, RedisValue>[size];
            for (int i = 0; i < size; i++)
            {
                pairs[i] = new(prefix + (from + i).ToString(CultureInfo.InvariantCulture), value);
            }

            pending.Enqueue(database.StringSetAsync(pairs));
            if (pending.Count >= InFlight)
            {
                await pending.Dequeue();
            }
        }

        while (pending.Count > 0)
        {
            await pending.Dequeue();
        }

        return System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalSeconds;
    }
}
