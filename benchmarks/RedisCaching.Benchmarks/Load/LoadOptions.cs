using System;
using System.Globalization;
using System.Linq;
using System.Net;

namespace RedisCaching.Benchmarks.Load;

/// <summary>The command line of <c>load</c> mode.</summary>
internal sealed class LoadOptions
{
    public const string Usage = """
        Usage: RedisCaching.Benchmarks load [options]
          --endpoint host:port    loopback Redis (default: $REDISCACHING_BENCH_REDIS)
          --multiplexers 1,2,4,10 multiplexer counts; the first is the baseline of the ratios
          --callers 1,64,256      concurrent callers, one operation in flight each
          --sizes 100,10240       value sizes in bytes
          --ops get,set           operations: get, set, getlease
          --warmup 1              seconds before measuring, per run
          --duration 5            measured seconds, per run
          --repeats 1             runs per point; medians are reported
          --out FILE              also write the Markdown report to FILE
        """;

    public IPEndPoint? Endpoint { get; private set; }

    public int[] Multiplexers { get; private set; } = [1, 2, 4, 10];

    public int[] Callers { get; private set; } = [1, 64, 256];

    public int[] Sizes { get; private set; } = [100, 10 * 1024];

    public LoadOperation[] Operations { get; private set; } = [LoadOperation.Get, LoadOperation.Set];

    public TimeSpan Warmup { get; private set; } = TimeSpan.FromSeconds(1);

    public TimeSpan Duration { get; private set; } = TimeSpan.FromSeconds(5);

    public int Repeats { get; private set; } = 1;

    public string? OutputPath { get; private set; }

    public bool ShowHelp { get; private set; }

    /// <summary>Parses the arguments after <c>load</c>; throws <see cref="ArgumentException"/> with what is wrong.</summary>
    public static LoadOptions Parse(ReadOnlySpan<string> args)
    {
        var options = new LoadOptions();
        CommandLineOptions.Walk(args, () => options.ShowHelp = true, (name, value) =>
        {
            switch (name)
            {
                case "--endpoint": options.Endpoint = BenchEndpoint.Parse(value); return true;
                case "--multiplexers": options.Multiplexers = CommandLineOptions.Integers(name, value); return true;
                case "--callers": options.Callers = CommandLineOptions.Integers(name, value); return true;
                case "--sizes": options.Sizes = CommandLineOptions.Integers(name, value); return true;
                case "--ops": options.Operations = [.. value.Split(',').Select(Operation)]; return true;
                case "--warmup": options.Warmup = TimeSpan.FromSeconds(CommandLineOptions.Number(name, value, 0)); return true;
                case "--duration": options.Duration = TimeSpan.FromSeconds(CommandLineOptions.Number(name, value, 0.1)); return true;
                case "--repeats": options.Repeats = (int)CommandLineOptions.Number(name, value, 1); return true;
                case "--out": options.OutputPath = value; return true;
                default: return false;
            }
        });

        return options;
    }

    private static LoadOperation Operation(string text) => text.Trim().ToUpperInvariant() switch
    {
        "GET" => LoadOperation.Get,
        "SET" => LoadOperation.Set,
        "GETLEASE" => LoadOperation.GetLease,
        _ => throw new ArgumentException($"--ops: '{text}' is not get, set or getlease."),
    };
}
