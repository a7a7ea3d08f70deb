using System;
using System.Globalization;
using System.Threading.Tasks;
using RedisCaching.Internal.Engine;
using static RedisCaching.Core.Tests.Cache.CacheTestSupport;

namespace RedisCaching.Core.Tests.CrossProcess;

/// <summary>
/// One process of a cross-process test: builds a cache on its own connection, prints <c>ready</c>, waits for
/// <c>go</c> on stdin, then calls get-or-set on a key with the stampede lock and prints <c>factory</c> when its
/// factory runs and <c>result {tier} {value} acquired={n} waits={n}</c> at the end. The factory's value names the process.
/// </summary>
internal static class LockProbe
{
    public const string Verb = "lock-probe";

    /// <summary>Arguments: host port prefix key lockTimeoutMs factoryMs redisTimeoutMs.</summary>
    public static string[] Arguments(string host, int port, string prefix, string key, int lockTimeoutMs, int factoryMs, int redisTimeoutMs) =>
        [Verb, host, port.ToString(CultureInfo.InvariantCulture), prefix, key, lockTimeoutMs.ToString(CultureInfo.InvariantCulture), factoryMs.ToString(CultureInfo.InvariantCulture), redisTimeoutMs.ToString(CultureInfo.InvariantCulture)];

    public static async Task<int> RunAsync(ReadOnlyMemory<string> arguments)
    {
        var args = arguments.Span;
        if (args.Length != 7)
        {
            await Console.Error.WriteLineAsync("usage: lock-probe host port prefix key lockTimeoutMs factoryMs redisTimeoutMs");
            return 2;
        }

        var options = new RedisCachingOptions
        {
            Redis = { Host = args[0], Port = int.Parse(args[1], CultureInfo.InvariantCulture), CommandTimeout = TimeSpan.FromSeconds(2) },
            Keys = { Prefix = args[2] },
            RedisTimeout = TimeSpan.FromMilliseconds(int.Parse(args[6], CultureInfo.InvariantCulture)),
        };
        var key = args[3];
        var entry = new CacheEntryOptions { DistributedLockTimeout = TimeSpan.FromMilliseconds(int.Parse(args[4], CultureInfo.InvariantCulture)) };
        var factoryTime = TimeSpan.FromMilliseconds(int.Parse(args[5], CultureInfo.InvariantCulture));

        await using var connection = RedisConnectionFactory.Create(options.Redis);
        await using var cache = CreateCache(options, connection);
        await connection.GetMultiplexerAsync();
        Console.WriteLine("ready");
        if (await Console.In.ReadLineAsync() != "go")
        {
            return 3;
        }

        var result = await cache.GetOrSetAsync(key, factoryTime, static async (time, _, cancellationToken) =>
        {
            Console.WriteLine("factory");
            await Task.Delay(time, cancellationToken);
            return "from-process-" + Environment.ProcessId.ToString(CultureInfo.InvariantCulture);
        }, entry);
        Console.WriteLine($"result {result.Tier} {result.Value} acquired={cache.LockCounters.Acquired} waits={cache.LockCounters.Waits}");
        return 0;
    }
}
