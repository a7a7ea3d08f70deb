using System;
using System.Globalization;
using System.Linq;
using System.Net;
using RedisCaching.Benchmarks.Peers;

namespace RedisCaching.Benchmarks.Load.Zipf;

/// <summary>The command line of <c>zipf</c> mode.</summary>
internal sealed class ZipfOptions
{
    public const string Usage = """
        Usage: RedisCaching.Benchmarks zipf [options]
          --endpoint host:port     loopback Redis (default: $REDISCACHING_BENCH_REDIS)
          --peers raw,fusion,hybrid,rediscaching peers to run; the first is the baseline of the throughput ratios
                                   (rediscaching@off / rediscaching@10: Memory:MaxStaleness off / 10 ms; default 25 ms)
          --keys 10000             key space
          --s 1.0                  Zipf exponent
          --callers 64             concurrent callers (half on each instance), one operation in flight each
          --write-percent 1        share of operations that write a new version through the other instance
          --factory-ms 2           latency of the "database" factory
          --stale-window-ms 10     stale reads older than this are also counted apart ("beyond the window")
          --yield-every 0          each caller hands its thread back to the thread pool (Task.Yield) every N
                                   operations, as a server does between requests; 0: only when an operation
                                   awaits (a caller whose reads all hit memory then keeps its thread)
          --warmup 15              seconds before measuring, per run (3 s measured part of the JIT's tiering:
                                   benchmarks/README.md, "Zipf: where the gap to HybridCache comes from")
          --duration 10            measured seconds, per run
          --repeats 1              runs per peer (order rotated per repeat); medians reported
          --server-pid PID         also the Redis server's CPU per operation (/proc/PID/schedstat, Linux)
          --out FILE               also write the Markdown report to FILE
        """;

    public IPEndPoint? Endpoint { get; private set; }

    public string[] Peers { get; private set; } = [PeerNames.Raw, PeerNames.Fusion, PeerNames.Hybrid, PeerNames.RedisCaching];

    public int Keys { get; private set; } = 10_000;

    public double Exponent { get; private set; } = 1.0;

    public int Callers { get; private set; } = 64;

    public double WriteFraction { get; private set; } = 0.01;

    public TimeSpan FactoryDelay { get; private set; } = TimeSpan.FromMilliseconds(2);

    public TimeSpan StaleWindow { get; private set; } = TimeSpan.FromMilliseconds(10);

    public int YieldEvery { get; private set; }

    public TimeSpan Warmup { get; private set; } = TimeSpan.FromSeconds(15);

    public TimeSpan Duration { get; private set; } = TimeSpan.FromSeconds(10);

    public int Repeats { get; private set; } = 1;

    public string? OutputPath { get; private set; }

    public int? ServerPid { get; private set; }

    public bool ShowHelp { get; private set; }

    public static ZipfOptions Parse(ReadOnlySpan<string> args)
    {
        var options = new ZipfOptions();
        CommandLineOptions.Walk(args, () => options.ShowHelp = true, (name, value) =>
        {
            switch (name)
            {
                case "--endpoint": options.Endpoint = BenchEndpoint.Parse(value); return true;
                case "--peers": options.Peers = [.. value.Split(',').Select(p => p.Trim().ToLowerInvariant())]; return true;
                case "--keys": options.Keys = (int)CommandLineOptions.Number(name, value, 1); return true;
                case "--s": options.Exponent = CommandLineOptions.Number(name, value, 0); return true;
                case "--callers": options.Callers = (int)CommandLineOptions.Number(name, value, 2); return true;
                case "--write-percent": options.WriteFraction = CommandLineOptions.Number(name, value, 0) / 100; return true;
                case "--factory-ms": options.FactoryDelay = TimeSpan.FromMilliseconds(CommandLineOptions.Number(name, value, 0)); return true;
                case "--stale-window-ms": options.StaleWindow = TimeSpan.FromMilliseconds(CommandLineOptions.Number(name, value, 0)); return true;
                case "--yield-every":
                    double every = CommandLineOptions.Number(name, value, 0);
                    options.YieldEvery = every == Math.Floor(every) && every <= int.MaxValue
                        ? (int)every
                        : throw new ArgumentException($"{name}: a whole number of operations (0: never), not {value}.");
                    return true;
                case "--warmup": options.Warmup = TimeSpan.FromSeconds(CommandLineOptions.Number(name, value, 0)); return true;
                case "--duration": options.Duration = TimeSpan.FromSeconds(CommandLineOptions.Number(name, value, 0.1)); return true;
                case "--repeats": options.Repeats = (int)CommandLineOptions.Number(name, value, 1); return true;
                case "--out": options.OutputPath = value; return true;
                case "--server-pid": options.ServerPid = (int)CommandLineOptions.Number(name, value, 1); return true;
                default: return false;
            }
        });

        if (options.Duration + options.Warmup > TimeSpan.FromMinutes(10))
        {
            throw new ArgumentException("--warmup + --duration: at most 600 s per run.");
        }

        return options;
    }
}
