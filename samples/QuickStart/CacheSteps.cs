using System;
using System.Diagnostics;
using System.Threading.Tasks;
using RedisCaching;

namespace QuickStart;

/// <summary>The cache part of the demo: get-or-set, a memory hit, a change made by another client reaching it, and remove-by-tag.</summary>
internal sealed class CacheSteps(ICache cache, IRedisConnection connection)
{
    public async Task ShowCacheAsync(string redisKeyPrefix)
    {
        var factoryRuns = 0;
        ValueTask<string> LoadFromDatabase()
        {
            factoryRuns++;
            return ValueTask.FromResult($"profile #{factoryRuns} loaded from the database");
        }

        var first = await cache.GetOrSetAsync("user:42:profile", 0, (_, _, _) => LoadFromDatabase());
        Console.WriteLine($"4. GetOrSet user:42:profile -> \"{first.Value}\" (from {first.Tier})");

        // The in-process tier becomes coherent a moment after start-up; until then reads go to Redis.
        var stopwatch = Stopwatch.StartNew();
        var second = await cache.GetOrSetAsync("user:42:profile", 0, (_, _, _) => LoadFromDatabase());
        while (second.Tier != CacheTier.Memory && stopwatch.Elapsed < TimeSpan.FromSeconds(5))
        {
            await Task.Delay(50);
            second = await cache.GetOrSetAsync("user:42:profile", 0, (_, _, _) => LoadFromDatabase());
        }

        Console.WriteLine($"   again -> \"{second.Value}\" (from {second.Tier}); factory ran {factoryRuns} time(s)");

        // Another client (here a plain StackExchange.Redis call, as redis-cli or another service would) deletes the key.
        var database = (await connection.GetMultiplexerAsync()).GetDatabase();
        await database.KeyDeleteAsync(redisKeyPrefix + "user:42:profile");
        stopwatch.Restart();
        var third = await cache.GetOrSetAsync("user:42:profile", 0, (_, _, _) => LoadFromDatabase());
        while (third.Tier == CacheTier.Memory && stopwatch.Elapsed < TimeSpan.FromSeconds(1))
        {
            third = await cache.GetOrSetAsync("user:42:profile", 0, (_, _, _) => LoadFromDatabase());
        }

        Console.WriteLine($"   after another client deleted it in Redis -> \"{third.Value}\" (from {third.Tier}): the memory copy was invalidated by Redis");
        if (third.Tier == CacheTier.Memory)
        {
            throw new RedisCachingException("The in-process tier kept a value Redis no longer holds.");
        }

        await ShowTagsAsync();
    }

    private async Task ShowTagsAsync()
    {
        var tagged = new CacheEntryOptions { Tags = ["project:7"] };
        await cache.SetAsync("project:7:summary", "7 requirements, 2 open", tagged);
        await cache.SetAsync("project:7:owner", "ada", tagged);
        await cache.SetAsync("project:8:summary", "3 requirements", new CacheEntryOptions { Tags = ["project:8"] });
        var removed = await cache.RemoveByTagAsync("project:7");
        var summary = await cache.TryGetAsync<string>("project:7:summary");
        var owner = await cache.TryGetAsync<string>("project:7:owner");
        var other = await cache.TryGetAsync<string>("project:8:summary");
        Console.WriteLine($"   RemoveByTag project:7 (recorded: {removed}) -> project:7 entries found: {summary.HasValue || owner.HasValue}; project:8 still \"{other.Value}\"");
        if (summary.HasValue || owner.HasValue || !other.HasValue)
        {
            throw new RedisCachingException("Remove-by-tag did not remove exactly the tagged entries.");
        }
    }
}
