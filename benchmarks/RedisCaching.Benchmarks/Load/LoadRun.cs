using System;
using System.Diagnostics;
using System.Net;
using System.Threading.Tasks;
using StackExchange.Redis;

namespace RedisCaching.Benchmarks.Load;

/// <summary>
/// One timed run of one shape: <c>callers</c> async loops, spread round-robin over <c>multiplexers</c>
/// connections, each awaiting one operation at a time until the time is up.
/// </summary>
internal static class LoadRun
{
    // A bound on the loops besides time: far above what loopback on this box can do (~10^5 ops/s in all).
    private const double MaxOpsPerSecondPerCaller = 1_000_000;

    public static async Task<LoadSample> RunAsync(
        IPEndPoint endpoint, LoadOperation operation, int valueSize, int callers, int multiplexerCount,
        TimeSpan warmup, TimeSpan duration)
    {
        // Fresh multiplexers per run, so every count starts from the same state.
        var multiplexers = new ConnectionMultiplexer[multiplexerCount];
        try
        {
            for (int i = 0; i < multiplexers.Length; i++)
            {
                multiplexers[i] = await ConnectionMultiplexer.ConnectAsync(
                    BenchEndpoint.ClientOptions(endpoint, $"bench-load-{i}"));
            }

            RedisKey key = BenchPayload.Key("load", valueSize);
            RedisValue value = BenchPayload.Create(valueSize);
            await multiplexers[0].GetDatabase().StringSetAsync(key, value);

            // Allocated before the clock starts, so recording allocates nothing.
            var histograms = new LatencyHistogram[callers];
            var tasks = new Task[callers];
            long measureFrom = Stopwatch.GetTimestamp() + ToTicks(warmup);
            long measureUntil = measureFrom + ToTicks(duration);
            long maxOps = (long)((warmup + duration).TotalSeconds * MaxOpsPerSecondPerCaller);
            for (int i = 0; i < callers; i++)
            {
                var histogram = histograms[i] = new LatencyHistogram();
                IDatabase database = multiplexers[i % multiplexerCount].GetDatabase();
                tasks[i] = Task.Run(() => CallerAsync(
                    database, operation, key, value, measureFrom, measureUntil, maxOps, histogram));
            }

            // GC.GetTotalAllocatedBytes counts every thread (callers, the client's I/O, continuations), which is
            // the real cost; the per-thread counter would see almost none of it.
            await SleepUntilAsync(measureFrom);
            long allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
            await SleepUntilAsync(measureUntil);
            long allocatedAfter = GC.GetTotalAllocatedBytes(precise: true);
            await Task.WhenAll(tasks).WaitAsync(TimeSpan.FromSeconds(30));

            var all = new LatencyHistogram();
            foreach (LatencyHistogram histogram in histograms)
            {
                all.Add(histogram);
            }

            return new LoadSample(
                all.Count,
                all.Count / duration.TotalSeconds,
                ToMicros(all.ValueAt(0.50)),
                ToMicros(all.ValueAt(0.99)),
                ToMicros(all.MaxTicks),
                all.Count == 0 ? 0 : (double)(allocatedAfter - allocatedBefore) / all.Count,
                all.Errors);
        }
        finally
        {
            foreach (ConnectionMultiplexer? multiplexer in multiplexers)
            {
                if (multiplexer is not null)
                {
                    await multiplexer.DisposeAsync();
                }
            }
        }
    }

    // One operation in flight per caller. Operations started in the measured window count, with their latency.
    // The switch is inline (no helper method) so the only per-op allocations are the client's own.
    private static async Task CallerAsync(
        IDatabase database, LoadOperation operation, RedisKey key, RedisValue value,
        long measureFrom, long measureUntil, long maxOps, LatencyHistogram histogram)
    {
        for (long i = 0; i < maxOps; i++)
        {
            long began = Stopwatch.GetTimestamp();
            if (began >= measureUntil)
            {
                return;
            }

            bool succeeded = true;
            try
            {
                switch (operation)
                {
                    case LoadOperation.Get:
                        _ = await database.StringGetAsync(key);
                        break;
                    case LoadOperation.GetLease:
                        (await database.StringGetLeaseAsync(key))?.Dispose();
                        break;
                    default:
                        _ = await database.StringSetAsync(key, value);
                        break;
                }
            }
            catch (Exception e) when (e is RedisException or TimeoutException)
            {
                // Counted and reported, not fatal: a timeout under overload is a result.
                succeeded = false;
            }

            if (began >= measureFrom)
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
    }

    private static async Task SleepUntilAsync(long timestamp)
    {
        TimeSpan remaining = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), timestamp);
        if (remaining > TimeSpan.Zero)
        {
            await Task.Delay(remaining);
        }
    }

    private static long ToTicks(TimeSpan time) => (long)(time.TotalSeconds * Stopwatch.Frequency);

    private static double ToMicros(long ticks) => ticks * 1_000_000.0 / Stopwatch.Frequency;
}
