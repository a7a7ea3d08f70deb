using System;
using System.Linq;
using System.Net;

namespace RedisCaching.Benchmarks.Load.Cluster;

/// <summary>The command line of <c>cluster-load</c> mode.</summary>
internal sealed class ClusterLoadOptions
{
    public const string Usage = """
        Usage: RedisCaching.Benchmarks cluster-load --standalone host:port --cluster host:port[,host:port...] [options]
          --standalone host:port  loopback standalone Redis (the baseline)
          --cluster h:p,h:p,...   loopback cluster nodes (seeds; one is enough, all is what apps configure)
          --targets raw,cache     raw = StackExchange.Redis StringGet/StringSet; cache = RedisCaching's ICache
                                  (memory tier off, so every call reaches Redis)
          --ops get,set           operations
          --callers 64            concurrent callers, one operation in flight each
          --keys 1024             keys, spread over the hash slots (and so over every primary); caller c walks
                                  keys c, c + callers, c + 2 x callers, ... (mod keys)
          --size 100              value size in bytes
          --warmup 1 --duration 3 --repeats 3
          --out FILE              also write the Markdown report to FILE
        """;

    public IPEndPoint? Standalone { get; private set; }

    public IPEndPoint[] Cluster { get; private set; } = [];

    public string[] Targets { get; private set; } = [ClusterLoadRun.Raw, ClusterLoadRun.Cache];

    public LoadOperation[] Operations { get; private set; } = [LoadOperation.Get, LoadOperation.Set];

    public int Callers { get; private set; } = 64;

    public int Keys { get; private set; } = 1024;

    public int Size { get; private set; } = 100;

    public TimeSpan Warmup { get; private set; } = TimeSpan.FromSeconds(1);

    public TimeSpan Duration { get; private set; } = TimeSpan.FromSeconds(3);

    public int Repeats { get; private set; } = 3;

    public string? OutputPath { get; private set; }

    public bool ShowHelp { get; private set; }

    /// <summary>Parses the arguments after <c>cluster-load</c>; throws <see cref="ArgumentException"/> with what is wrong.</summary>
    public static ClusterLoadOptions Parse(ReadOnlySpan<string> args)
    {
        var options = new ClusterLoadOptions();
        CommandLineOptions.Walk(args, () => options.ShowHelp = true, (name, value) =>
        {
            switch (name)
            {
                case "--standalone": options.Standalone = Endpoint(value); return true;
                case "--cluster": options.Cluster = [.. value.Split(',').Select(Endpoint)]; return true;
                case "--targets": options.Targets = [.. value.Split(',').Select(Target)]; return true;
                case "--ops": options.Operations = [.. value.Split(',').Select(Operation)]; return true;
                case "--callers": options.Callers = (int)CommandLineOptions.Number(name, value, 1); return true;
                case "--keys": options.Keys = (int)CommandLineOptions.Number(name, value, 1); return true;
                case "--size": options.Size = (int)CommandLineOptions.Number(name, value, 1); return true;
                case "--warmup": options.Warmup = TimeSpan.FromSeconds(CommandLineOptions.Number(name, value, 0)); return true;
                case "--duration": options.Duration = TimeSpan.FromSeconds(CommandLineOptions.Number(name, value, 0.1)); return true;
                case "--repeats": options.Repeats = (int)CommandLineOptions.Number(name, value, 1); return true;
                case "--out": options.OutputPath = value; return true;
                default: return false;
            }
        });

        if (!options.ShowHelp && (options.Standalone is null || options.Cluster.Length == 0))
        {
            throw new ArgumentException("--standalone and --cluster are both required: the point is the ratio of the two in one run.");
        }

        return options;
    }

    // BenchEndpoint.Parse refuses anything but loopback; its InvalidOperationException becomes a usage error here.
    private static IPEndPoint Endpoint(string text)
    {
        try
        {
            return BenchEndpoint.Parse(text);
        }
        catch (InvalidOperationException e)
        {
            throw new ArgumentException(e.Message, e);
        }
    }

    private static string Target(string text) => text.Trim().ToLowerInvariant() switch
    {
        ClusterLoadRun.Raw => ClusterLoadRun.Raw,
        ClusterLoadRun.Cache => ClusterLoadRun.Cache,
        _ => throw new ArgumentException($"--targets: '{text}' is not raw or cache."),
    };

    private static LoadOperation Operation(string text) => text.Trim().ToUpperInvariant() switch
    {
        "GET" => LoadOperation.Get,
        "SET" => LoadOperation.Set,
        _ => throw new ArgumentException($"--ops: '{text}' is not get or set."),
    };
}
