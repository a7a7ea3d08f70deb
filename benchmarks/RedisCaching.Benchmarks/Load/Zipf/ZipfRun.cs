using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Threading.Tasks;
using RedisCaching.Benchmarks.Peers;
using StackExchange.Redis;

namespace RedisCaching.Benchmarks.Load.Zipf;

/// <summary>
/// One timed Zipf run of one peer: two instances of it (separate multiplexers) over the same Redis, callers split
/// between them; each operation is a get-or-set through the caller's own instance or, with the write probability,
/// a new version written through the OTHER instance. A read is stale when it returns a version older than the last
/// write of that key that had completed before the read started.
/// </summary>
internal static class ZipfRun
{
    public static async Task<ZipfSample> RunAsync(IPEndPoint endpoint, ZipfOptions options, string peerName, int runNumber, IServer? admin = null)
    {
        ICacheUnderTest? first = null;
        ICacheUnderTest? second = null;
        try
        {
            first = await PeerCatalog.CreateAsync(peerName, endpoint, "zipf-a");
            second = await PeerCatalog.CreateAsync(peerName, endpoint, "zipf-b");
            var database = new ZipfDatabase(options.Keys, options.FactoryDelay);
            var sampler = new ZipfSampler(options.Keys, options.Exponent);

            // Fresh keys per run, so no run reads what an earlier one left in Redis.
            string prefix = string.Create(CultureInfo.InvariantCulture, $"zipf:{Environment.ProcessId}:{runNumber}:{peerName}:");
            var keys = new string[options.Keys];
            for (int i = 0; i < keys.Length; i++)
            {
                keys[i] = prefix + i.ToString(CultureInfo.InvariantCulture);
            }

            // RedisCaching's bound (Memory:MaxStaleness), to count the reads staler than it promises.
            TimeSpan? bound = first is RedisCachingPeer { MaxStaleness: var staleness } && staleness != System.Threading.Timeout.InfiniteTimeSpan ? staleness : null;
            var callers = new ZipfCaller[options.Callers];
            var tasks = new Task[options.Callers];
            long measureFrom = Stopwatch.GetTimestamp() + ToTicks(options.Warmup);
            long measureUntil = measureFrom + ToTicks(options.Duration);
            for (int i = 0; i < callers.Length; i++)
            {
                ICacheUnderTest own = i % 2 == 0 ? first : second;
                ICacheUnderTest other = i % 2 == 0 ? second : first;
                var caller = callers[i] = new ZipfCaller(own, other, database, sampler, keys, options.WriteFraction, ToTicks(options.StaleWindow), bound is { } b ? ToTicks(b) : long.MaxValue, seed: (runNumber * 1000) + i, options.YieldEvery);
                tasks[i] = Task.Run(() => caller.RunAsync(measureFrom, measureUntil));
            }

            // The window's counters on a thread of their own, on time (see ZipfCost); the command counts by this task.
            var window = ZipfCost.TakeOnTime(measureFrom, measureUntil, options.ServerPid, () => (FactoryCalls: database.FactoryCalls, Refusals: LeaseRefusals(first, second)));
            await SleepUntilAsync(measureFrom);
            Task<Dictionary<string, long>> commandsBefore = ZipfCost.CommandsNowAsync(admin);
            var (localBefore, countsBefore, localAfter, countsAfter) = await window;
            ZipfCost costBefore = await localBefore.WithCommandsFromAsync(commandsBefore);
            ZipfCost costAfter = await localAfter.WithCommandsFromAsync(ZipfCost.CommandsNowAsync(admin));
            long factoryCalls = countsAfter.FactoryCalls - countsBefore.FactoryCalls;
            long? refusals = countsAfter.Refusals - countsBefore.Refusals;
            await Task.WhenAll(tasks).WaitAsync(TimeSpan.FromSeconds(60));

            // Every caller has stopped: what Redis holds now should be at least the last write of each key. Less means
            // a fill (a factory's value) landed after a newer write, and every reader gets that older value until the
            // key's next write (the fill-versus-write race of cache-aside).
            long redisBehind = await CountRedisBehindAsync(first, database, keys);

            var reads = new LatencyHistogram();
            var writes = new LatencyHistogram();
            var stale = new LatencyHistogram();
            long staleBeyondWindow = 0;
            long staleBeyondBound = 0;
            foreach (ZipfCaller caller in callers)
            {
                staleBeyondWindow += caller.StaleBeyondWindow;
                staleBeyondBound += caller.StaleBeyondBound;
                reads.Add(caller.Reads);
                writes.Add(caller.Writes);
                stale.Add(caller.Stale);
            }

            return new ZipfSample(
                peerName,
                (reads.Count + writes.Count) / options.Duration.TotalSeconds,
                reads.Count,
                writes.Count,
                factoryCalls,
                reads.Count == 0 ? 0 : Math.Max(0, 1 - ((double)factoryCalls / reads.Count)),
                ToMicros(reads.ValueAt(0.50)),
                ToMicros(reads.ValueAt(0.99)),
                ToMicros(writes.ValueAt(0.50)),
                ToMicros(writes.ValueAt(0.99)),
                stale.Count,
                staleBeyondWindow,
                ToMicros(stale.ValueAt(0.50)),
                ToMicros(stale.MaxTicks),
                reads.Errors + writes.Errors)
            {
                BoundMs = bound?.TotalMilliseconds,
                StaleBeyondBound = staleBeyondBound,
                LeaseRefusals = refusals,
                RedisBehindLastWrite = redisBehind,
                Cost = ZipfCost.Between(costBefore, costAfter, reads.Count + writes.Count),
            };
        }
        finally
        {
            if (first is not null)
            {
                await first.DisposeAsync();
            }

            if (second is not null)
            {
                await second.DisposeAsync();
            }
        }
    }

    /// <summary>Keys whose value in Redis (read around the peer's memory tier) is older than their last completed write.</summary>
    private static async Task<long> CountRedisBehindAsync(ICacheUnderTest cache, ZipfDatabase database, string[] keys)
    {
        long behind = 0;
        var pending = new System.Collections.Generic.List<(Task<Lookup<BenchRecord>> Read, long Version)>(256);
        for (int id = 0; id < keys.Length; id++)
        {
            if (database.LastCompletedWrite(id) is { } mark)
            {
                pending.Add((cache.TryGetFromL2Async<BenchRecord>(keys[id]).AsTask(), mark.Version));
            }

            if (pending.Count == 256 || (id == keys.Length - 1 && pending.Count > 0))
            {
                foreach (var (read, version) in pending)
                {
                    try
                    {
                        Lookup<BenchRecord> found = await read;
                        if (!found.Found || found.Value is null || found.Value.Version < version)
                        {
                            behind++;
                        }
                    }
                    catch (Exception e) when (e is RedisException or TimeoutException or OperationCanceledException)
                    {
                        behind++;
                    }
                }

                pending.Clear();
            }
        }

        return behind;
    }

    private static long? LeaseRefusals(ICacheUnderTest first, ICacheUnderTest second) =>
        first is RedisCachingPeer a && second is RedisCachingPeer b ? a.LeaseRefusals + b.LeaseRefusals : null;

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

    /// <summary>One caller: its own instance for reads, the other one for writes, its own histograms.</summary>
    private sealed class ZipfCaller(
        ICacheUnderTest own, ICacheUnderTest other, ZipfDatabase database, ZipfSampler sampler, string[] keys,
        double writeFraction, long staleWindowTicks, long boundTicks, int seed, int yieldEvery)
    {
        // Bounds the loop besides time: far above what a caller can do against a loopback Redis.
        private const long MaxOps = 100_000_000;

        private readonly Random _random = new(seed);

        public LatencyHistogram Reads { get; } = new();

        public LatencyHistogram Writes { get; } = new();

        /// <summary>Stale reads; the value recorded is how long before the read the newer write had completed.</summary>
        public LatencyHistogram Stale { get; } = new();

        /// <summary>Stale reads whose newer write had completed more than the window before the read.</summary>
        public long StaleBeyondWindow { get; private set; }

        /// <summary>Stale reads whose newer write had completed more than the peer's staleness bound before the read.</summary>
        public long StaleBeyondBound { get; private set; }

        public async Task RunAsync(long measureFrom, long measureUntil)
        {
            for (long n = 0; n < MaxOps; n++)
            {
                long began = Stopwatch.GetTimestamp();
                if (began >= measureUntil)
                {
                    return;
                }

                bool measured = began >= measureFrom;
                if (yieldEvery > 0 && n % yieldEvery == yieldEvery - 1)
                {
                    // A request's end: the worker goes back to the thread pool, which runs what queued up meanwhile.
                    await Task.Yield();
                }

                int id = sampler.Next(_random);
                if (_random.NextDouble() < writeFraction)
                {
                    try
                    {
                        long took = await database.WriteAsync(other, keys[id], id);
                        if (measured)
                        {
                            Writes.Record(took);
                        }
                    }
                    catch (Exception e) when (e is RedisException or TimeoutException or OperationCanceledException)
                    {
                        if (measured)
                        {
                            Writes.RecordError();
                        }
                    }

                    continue;
                }

                WriteMark? mustSee = database.LastCompletedWrite(id);
                began = Stopwatch.GetTimestamp();
                try
                {
                    BenchRecord value = await own.GetOrSetAsync(keys[id], database.Factory);
                    long ended = Stopwatch.GetTimestamp();
                    if (measured)
                    {
                        Reads.Record(ended - began);
                        if (mustSee is not null && value.Version < mustSee.Version)
                        {
                            Stale.Record(began - mustSee.CompletedAt);
                            if (began - mustSee.CompletedAt > staleWindowTicks)
                            {
                                StaleBeyondWindow++;
                            }

                            if (began - mustSee.CompletedAt > boundTicks)
                            {
                                StaleBeyondBound++;
                            }
                        }
                    }
                }
                catch (Exception e) when (e is RedisException or TimeoutException or OperationCanceledException)
                {
                    if (measured)
                    {
                        Reads.RecordError();
                    }
                }
            }
        }
    }
}
