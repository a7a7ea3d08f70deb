using System;
using System.Globalization;
using System.Threading.Tasks;
using static RedisCaching.Core.Tests.Cache.CacheTestSupport;

namespace RedisCaching.Core.Tests.CrossProcess;

/// <summary>
/// One process of the cross-process tag test: a cache with its coherent memory tier, driven line by line on stdin:
/// <c>read {key}</c> prints <c>value {tier} {value}</c> (or <c>value None miss</c>), <c>remove-tag {tag}</c> prints
/// <c>removed {true|false}</c>, <c>exit</c> ends it. Prints <c>ready</c> once its memory tier is coherent.
/// </summary>
internal static class TagProbe
{
    public const string Verb = "tag-probe";

    /// <summary>Arguments: host port prefix.</summary>
    public static string[] Arguments(string host, int port, string prefix) =>
        [Verb, host, port.ToString(CultureInfo.InvariantCulture), prefix];

    public static async Task<int> RunAsync(ReadOnlyMemory<string> arguments)
    {
        var args = arguments.Span;
        if (args.Length != 3)
        {
            await Console.Error.WriteLineAsync("usage: tag-probe host port prefix");
            return 2;
        }

        var options = new RedisCachingOptions
        {
            Redis = { Host = args[0], Port = int.Parse(args[1], CultureInfo.InvariantCulture), CommandTimeout = TimeSpan.FromSeconds(2) },
            Keys = { Prefix = args[2] },
            RedisTimeout = TimeSpan.FromSeconds(2),

            // The staleness bound off, as in CacheTestSupport: it only ever refuses hits, so with it "the entry left
            // memory" would pass whenever the lease lapsed; LeaseTests cover the bound.
            Memory = { MaxStaleness = System.Threading.Timeout.InfiniteTimeSpan },
        };
        await using var cache = await CreateCoherentAsync(null, options);
        Console.WriteLine($"ready {cache.Tier.Mode}");
        while (await Console.In.ReadLineAsync() is { } line)
        {
            var parts = line.Split(' ', 2);
            switch (parts[0])
            {
                case "read":
                    var read = await cache.Cache.TryGetAsync<string>(parts[1]);
                    Console.WriteLine(read.HasValue ? $"value {read.Tier} {read.Value}" : "value None miss");
                    break;
                case "remove-tag":
                    Console.WriteLine($"removed {await cache.Cache.RemoveByTagAsync(parts[1])}");
                    break;
                case "exit":
                    return 0;
                default:
                    await Console.Error.WriteLineAsync($"unknown command: {line}");
                    return 3;
            }
        }

        return 0;
    }
}
