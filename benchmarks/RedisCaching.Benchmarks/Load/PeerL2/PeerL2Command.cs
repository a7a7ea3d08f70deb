using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Net;
using System.Threading;
using System.Threading.Tasks;
using RedisCaching.Benchmarks.Peers;
using StackExchange.Redis;
using static System.FormattableString;

namespace RedisCaching.Benchmarks.Load.PeerL2;

/// <summary>
/// <c>l2</c> mode: sustained L2-hit throughput (L1 bypassed) per peer, relative to the raw StackExchange.Redis GET of
/// the same bytes, with 1 and 64 callers. Same method as the load driver: fresh connections per run, a warm-up, a
/// fixed window, the peers of one shape run back to back in an order rotated per repeat, the ratio taken per repeat
/// and then the median. BenchmarkDotNet's sequential figures carry a thread hand-off per call; these do not. CPU per
/// read (this process, every thread; with <c>--server-pid</c> also the Redis server) is reported next to throughput:
/// on a box shared with other work it moves less than reads/s, which depends on how much CPU the others leave.
/// </summary>
internal static class PeerL2Command
{
    private const string Usage = """
        Usage: RedisCaching.Benchmarks l2 [options]
          --endpoint host:port   loopback Redis (default: $REDISCACHING_BENCH_REDIS)
          --peers raw,fusion,hybrid,rediscaching  peers after the baseline "get" (raw = GET + System.Text.Json;
                                 also get+pttl: GET and PTTL pipelined, get+pttl-lua: one script doing both, the
                                 price of reading the TTL with every GET; none of them deserializes)
          --callers 1,64         concurrent callers, one read in flight each, each on its own key
          --warmup 1 --duration 3 --repeats 3
          --out FILE
          --server-pid PID       also the Redis server's CPU per read (/proc/PID/schedstat, Linux)
        """;

    // Each caller reads only its own key (caller c: key c % Keys), so no two reads of one key are ever in flight
    // together: HybridCache joins concurrent reads of one key into one, which would measure coalescing, not L2.
    private const int Keys = 256;

    private const string GetWithTtl = "get+pttl";
    private const string GetWithTtlScript = "get+pttl-lua";
    private const string GetAndTtlScript = "return {redis.call('GET', KEYS[1]), redis.call('PTTL', KEYS[1])}";

    public static async Task<int> RunAsync(ReadOnlyMemory<string> args)
    {
        IPEndPoint? endpoint = null;
        string[] peers = [PeerNames.Raw, PeerNames.Fusion, PeerNames.Hybrid, PeerNames.RedisCaching];
        int[] callerCounts = [1, 64];
        double warmup = 1, duration = 3;
        int repeats = 3;
        string? output = null;
        int? serverPid = null;
        var help = false;
        try
        {
            CommandLineOptions.Walk(args.Span, () => help = true, (name, value) =>
            {
                switch (name)
                {
                    case "--endpoint": endpoint = BenchEndpoint.Parse(value); return true;
                    case "--peers": peers = [.. value.Split(',')]; return true;
                    case "--callers": callerCounts = CommandLineOptions.Integers(name, value); return true;
                    case "--warmup": warmup = CommandLineOptions.Number(name, value, 0); return true;
                    case "--duration": duration = CommandLineOptions.Number(name, value, 0.1); return true;
                    case "--repeats": repeats = (int)CommandLineOptions.Number(name, value, 1); return true;
                    case "--out": output = value; return true;
                    case "--server-pid": serverPid = (int)CommandLineOptions.Number(name, value, 1); return true;
                    default: return false;
                }
            });
        }
        catch (ArgumentException e)
        {
            await Console.Error.WriteLineAsync(e.Message + Environment.NewLine + Usage);
            return 2;
        }

        if (help)
        {
            Console.WriteLine(Usage);
            return 0;
        }

        endpoint ??= BenchEndpoint.FromEnvironment();
        // "get" is always the baseline; named again in --peers it is still measured once.
        string[] all = ["get", .. peers.Where(p => p != "get").Distinct()];
        var report = new StringWriter();
        report.WriteLine(Invariant($"L2 hit (L1 bypassed), BenchRecord (~200 B JSON) one key per caller; {warmup:0.#} s warm-up, {duration:0.#} s measured, median of {repeats} run(s); .NET {Environment.Version}, {Environment.ProcessorCount} cores. \"get\" = raw StackExchange.Redis StringGetAsync of the same bytes (baseline); \"raw\" = GET + System.Text.Json."));
        report.WriteLine();
        report.WriteLine("| callers | peer | reads/s | ratio to get | p50 µs | p99 µs | alloc B/read | client CPU µs/read | server CPU µs/read | misses | thread-pool items/read | reads/s per run |");
        report.WriteLine("|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|");
        foreach (int callers in callerCounts)
        {
            var samples = all.ToDictionary(p => p, _ => new List<(double Rate, double P50, double P99, double Bytes, double ClientCpu, double ServerCpu, long Misses, double WorkItems)>());
            for (int repeat = 0; repeat < repeats; repeat++)
            {
                foreach (string peer in all.Skip(repeat % all.Length).Concat(all.Take(repeat % all.Length)))
                {
                    var sample = await RunOnceAsync(endpoint, peer, callers, TimeSpan.FromSeconds(warmup), TimeSpan.FromSeconds(duration), serverPid);
                    samples[peer].Add(sample);
                    await Console.Error.WriteLineAsync(Invariant($"l2 {peer}, {callers} callers, run {repeat + 1}: {sample.Rate:F0} reads/s, p50 {sample.P50:F0} us, p99 {sample.P99:F0} us, {sample.Bytes:F0} B/read, client {sample.ClientCpu:F1} us/read{(serverPid is null ? "" : Invariant($", server {sample.ServerCpu:F1} us/read"))}, {sample.Misses} misses, {sample.WorkItems:F2} thread-pool items/read"));
                }
            }

            foreach (string peer in all)
            {
                var list = samples[peer];
                double ratio = LoadShapeResult.Median(Enumerable.Range(0, list.Count).Select(i => list[i].Rate / samples["get"][i].Rate));
                report.WriteLine(Invariant(
                    $"| {callers} | {peer} | {LoadShapeResult.Median(list.Select(s => s.Rate)):N0} | {ratio:F2} | {LoadShapeResult.Median(list.Select(s => s.P50)):F0} | {LoadShapeResult.Median(list.Select(s => s.P99)):F0} | {LoadShapeResult.Median(list.Select(s => s.Bytes)):F0} | {LoadShapeResult.Median(list.Select(s => s.ClientCpu)):F1} | {(serverPid is null ? "" : Invariant($"{LoadShapeResult.Median(list.Select(s => s.ServerCpu)):F1}"))} | {list.Sum(s => s.Misses)} | {LoadShapeResult.Median(list.Select(s => s.WorkItems)):F2} | {string.Join(" / ", list.Select(s => Invariant($"{s.Rate:F0}")))} |"));
            }
        }

        Console.WriteLine(report.ToString());
        if (output is not null)
        {
            await File.WriteAllTextAsync(output, report.ToString());
        }

        return 0;
    }

    private static async Task<(double Rate, double P50, double P99, double Bytes, double ClientCpu, double ServerCpu, long Misses, double WorkItems)> RunOnceAsync(
        IPEndPoint endpoint, string peerName, int callers, TimeSpan warmup, TimeSpan duration, int? serverPid)
    {
        var rawCommands = peerName is "get" or GetWithTtl or GetWithTtlScript;
        await using ICacheUnderTest peer = await PeerCatalog.CreateAsync(rawCommands ? PeerNames.Raw : peerName, endpoint, "l2load");
        var keys = new string[Keys];
        var redisKeys = new RedisKey[Keys];
        for (int i = 0; i < Keys; i++)
        {
            keys[i] = string.Create(CultureInfo.InvariantCulture, $"bench:l2load:{i}");
            redisKeys[i] = keys[i];
            await peer.SetAsync(keys[i], BenchRecord.Create(i, 1));
            if (!(await peer.TryGetFromL2Async<BenchRecord>(keys[i])).Found)
            {
                throw new InvalidOperationException($"{peerName} did not read the record back from L2.");
            }
        }

        IDatabase? database = rawCommands ? ((RawRedisPeer)peer).Database : null;
        var histograms = new LatencyHistogram[callers];
        var tasks = new Task[callers];
        var misses = new long[callers];
        long from = Stopwatch.GetTimestamp() + (long)(warmup.TotalSeconds * Stopwatch.Frequency);
        long until = from + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        for (int c = 0; c < callers; c++)
        {
            var histogram = histograms[c] = new LatencyHistogram();
            int first = c;
            tasks[c] = Task.Run(async () =>
            {
                for (long n = first; n < long.MaxValue; n++)
                {
                    long began = Stopwatch.GetTimestamp();
                    if (began >= until)
                    {
                        return;
                    }

                    if (database is not null)
                    {
                        await ReadRawAsync(database, peerName, redisKeys[first % Keys]);
                    }
                    else
                    {
                        if (!(await peer.TryGetFromL2Async<BenchRecord>(keys[first % Keys])).Found && began >= from)
                        {
                            // A miss is fast for the wrong reason (e.g. an open circuit breaker): counted, and reported.
                            misses[first]++;
                        }
                    }

                    if (began >= from)
                    {
                        histogram.Record(Stopwatch.GetTimestamp() - began);
                    }
                }
            });
        }

        await Task.Delay(Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), from));
        long before = GC.GetTotalAllocatedBytes(precise: true);
        long workItemsBefore = ThreadPool.CompletedWorkItemCount;
        TimeSpan cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
        double serverBefore = ServerCpuMicroseconds(serverPid);
        await Task.Delay(Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), until));
        long after = GC.GetTotalAllocatedBytes(precise: true);
        long workItemsAfter = ThreadPool.CompletedWorkItemCount;
        TimeSpan cpuAfter = Process.GetCurrentProcess().TotalProcessorTime;
        double serverAfter = ServerCpuMicroseconds(serverPid);
        await Task.WhenAll(tasks).WaitAsync(TimeSpan.FromSeconds(30));
        var all = new LatencyHistogram();
        foreach (LatencyHistogram histogram in histograms)
        {
            all.Add(histogram);
        }

        double micros = 1_000_000.0 / Stopwatch.Frequency;
        return (all.Count / duration.TotalSeconds, all.ValueAt(0.5) * micros, all.ValueAt(0.99) * micros,
            all.Count == 0 ? 0 : (double)(after - before) / all.Count,
            all.Count == 0 ? 0 : (cpuAfter - cpuBefore).TotalMicroseconds / all.Count,
            all.Count == 0 ? 0 : (serverAfter - serverBefore) / all.Count,
            misses.Sum(),
            all.Count == 0 ? 0 : (double)(workItemsAfter - workItemsBefore) / all.Count);
    }

    /// <summary>A read of the raw baselines: the GET alone, or with the key's TTL (pipelined, or in one script).</summary>
    private static async Task ReadRawAsync(IDatabase database, string peerName, RedisKey key)
    {
        switch (peerName)
        {
            case GetWithTtl:
                Task<RedisValue> get = database.StringGetAsync(key);
                Task<TimeSpan?> ttl = database.KeyTimeToLiveAsync(key);
                _ = await get;
                _ = await ttl;
                break;
            case GetWithTtlScript:
                _ = await database.ScriptEvaluateAsync(GetAndTtlScript, [key]);
                break;
            default:
                _ = await database.StringGetAsync(key);
                break;
        }
    }

    /// <summary>The Redis server's main thread's CPU time so far (the first field of schedstat, in ns), or 0 without a pid.</summary>
    private static double ServerCpuMicroseconds(int? pid) => pid is { } p
        ? long.Parse(File.ReadAllText($"/proc/{p}/schedstat").Split(' ')[0], CultureInfo.InvariantCulture) / 1000.0
        : 0;
}
