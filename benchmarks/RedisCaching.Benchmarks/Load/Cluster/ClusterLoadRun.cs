using System;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using System.Net;
using System.Threading.Tasks;
using Microsoft.Extensions.DependencyInjection;
using StackExchange.Redis;

namespace RedisCaching.Benchmarks.Load.Cluster;

/// <summary>
/// One timed run: <c>callers</c> async loops on one fresh connection (raw) or one fresh cache (its own connection),
/// each awaiting one GET or SET at a time over many keys, so a cluster's three primaries all take traffic (the
/// <c>load</c> mode's single key would load one node only). Same clock, histograms and allocation count as
/// <see cref="LoadRun"/>.
/// </summary>
internal static class ClusterLoadRun
{
    public const string Raw = "raw";
    public const string Cache = "cache";

    public static async Task<LoadSample> RunAsync(
        IPEndPoint[] endpoints, string target, LoadOperation operation, ClusterLoadOptions options, string label)
    {
        string[] keys = [.. Enumerable.Range(0, options.Keys).Select(i => string.Create(CultureInfo.InvariantCulture, $"bench:cluster-load:{i}"))];
        string text = new('v', options.Size);
        RedisValue bytes = BenchPayload.Create(options.Size);
        if (target == Raw)
        {
            var configuration = new ConfigurationOptions { AbortOnConnectFail = true, ClientName = "bench-cluster-load-" + label };
            foreach (IPEndPoint endpoint in endpoints)
            {
                configuration.EndPoints.Add(endpoint);
            }

            await using ConnectionMultiplexer multiplexer = await ConnectionMultiplexer.ConnectAsync(configuration);
            IDatabase database = multiplexer.GetDatabase();
            RedisKey[] redisKeys = [.. keys.Select(k => (RedisKey)k)];
            await Task.WhenAll(redisKeys.Select(k => database.StringSetAsync(k, bytes)));
            return await MeasureAsync(options, operation == LoadOperation.Get
                ? async i => _ = await database.StringGetAsync(redisKeys[i])
                : async i => _ = await database.StringSetAsync(redisKeys[i], bytes));
        }

        var services = new ServiceCollection();
        services.AddRedisCaching(o =>
        {
            o.Redis.ConnectionString = string.Join(",", endpoints.Select(e => e.ToString()));
            o.Redis.ClientName = "bench-cluster-load-cache-" + label;
            o.Keys.Prefix = "clbench";

            // Every call reaches Redis: the memory tier would answer the reads itself.
            o.Memory.Enabled = false;

            // Failures are counted (as errors), not degraded into misses or no-ops the figures would not show; the
            // budget is far above the p99 so an overloaded box shows as latency, not as errors.
            o.ThrowOnRedisFailure = true;
            o.RedisTimeout = TimeSpan.FromSeconds(5);
        }).WithoutEnvironmentVariables();
        await using ServiceProvider provider = services.BuildServiceProvider();
        ICache cache = provider.GetRequiredService<ICache>();
        await Task.WhenAll(keys.Select(k => cache.SetAsync(k, text).AsTask()));
        if (!(await cache.TryGetAsync<string>(keys[^1])).HasValue)
        {
            throw new InvalidOperationException($"The cache on {label} did not read its own write back.");
        }

        return await MeasureAsync(options, operation == LoadOperation.Get
            ? async i => _ = await cache.TryGetAsync<string>(keys[i])
            : async i => await cache.SetAsync(keys[i], text));
    }

    private static async Task<LoadSample> MeasureAsync(ClusterLoadOptions options, Func<int, Task> call)
    {
        int callers = options.Callers;
        int keyCount = options.Keys;
        var histograms = new LatencyHistogram[callers];
        var tasks = new Task[callers];
        long from = Stopwatch.GetTimestamp() + (long)(options.Warmup.TotalSeconds * Stopwatch.Frequency);
        long until = from + (long)(options.Duration.TotalSeconds * Stopwatch.Frequency);
        for (int c = 0; c < callers; c++)
        {
            var histogram = histograms[c] = new LatencyHistogram();
            int caller = c;
            tasks[c] = Task.Run(async () =>
            {
                for (long n = 0; ; n++)
                {
                    long began = Stopwatch.GetTimestamp();
                    if (began >= until)
                    {
                        return;
                    }

                    bool succeeded = true;
                    try
                    {
                        await call((int)((caller + (n * callers)) % keyCount));
                    }
                    catch (Exception e) when (e is RedisException or TimeoutException or CacheUnavailableException)
                    {
                        succeeded = false;
                    }

                    if (began >= from)
                    {
                        if (succeeded)
                        {
                            histogram.Record(Stopwatch.GetTimestamp() - began);
                        }
                        else
                        {
                            histogram.RecordError();
                        }
                    }
                }
            });
        }

        await Task.Delay(Remaining(from));
        long before = GC.GetTotalAllocatedBytes(precise: true);
        await Task.Delay(Remaining(until));
        long after = GC.GetTotalAllocatedBytes(precise: true);
        await Task.WhenAll(tasks).WaitAsync(TimeSpan.FromSeconds(30));
        var all = new LatencyHistogram();
        foreach (LatencyHistogram histogram in histograms)
        {
            all.Add(histogram);
        }

        double micros = 1_000_000.0 / Stopwatch.Frequency;
        return new LoadSample(
            all.Count,
            all.Count / options.Duration.TotalSeconds,
            all.ValueAt(0.50) * micros,
            all.ValueAt(0.99) * micros,
            all.MaxTicks * micros,
            all.Count == 0 ? 0 : (double)(after - before) / all.Count,
            all.Errors);
    }

    private static TimeSpan Remaining(long timestamp)
    {
        TimeSpan remaining = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), timestamp);
        return remaining > TimeSpan.Zero ? remaining : TimeSpan.Zero;
    }
}
