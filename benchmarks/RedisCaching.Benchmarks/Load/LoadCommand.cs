using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Net;
using System.Threading.Tasks;
using static System.FormattableString;

namespace RedisCaching.Benchmarks.Load;

/// <summary>
/// <c>load</c> mode: every shape (operation x value size x callers) at every multiplexer count, repeated, with
/// the multiplexer counts of one shape run back to back so their ratio compares runs made seconds apart.
/// </summary>
internal static class LoadCommand
{
    public static async Task<int> RunAsync(ReadOnlyMemory<string> args)
    {
        var (options, exitCode) = await CommandLineOptions.ParseAsync(args, LoadOptions.Parse, LoadOptions.Usage, static o => o.ShowHelp);
        if (options is null)
        {
            return exitCode;
        }

        IPEndPoint endpoint = options.Endpoint ?? BenchEndpoint.FromEnvironment();
        var results = new List<LoadShapeResult>();
        foreach (LoadOperation operation in options.Operations)
        {
            foreach (int size in options.Sizes)
            {
                foreach (int callers in options.Callers)
                {
                    results.Add(await RunShapeAsync(endpoint, options, operation, size, callers));
                }
            }
        }

        var report = new StringWriter();
        LoadReport.Write(report, options, results);
        Console.WriteLine(report.ToString());
        if (options.OutputPath is not null)
        {
            await File.WriteAllTextAsync(options.OutputPath, report.ToString());
        }

        return 0;
    }

    private static async Task<LoadShapeResult> RunShapeAsync(
        IPEndPoint endpoint, LoadOptions options, LoadOperation operation, int size, int callers)
    {
        var shape = new LoadShapeResult(operation, size, callers, options.Multiplexers[0]);
        for (int repeat = 0; repeat < options.Repeats; repeat++)
        {
            // Rotate the order each repeat, so no count always runs first (cold) or last.
            IEnumerable<int> order = options.Multiplexers.Skip(repeat % options.Multiplexers.Length)
                .Concat(options.Multiplexers.Take(repeat % options.Multiplexers.Length));
            foreach (int multiplexers in order)
            {
                LoadSample sample = await LoadRun.RunAsync(
                    endpoint, operation, size, callers, multiplexers, options.Warmup, options.Duration);
                shape.Add(multiplexers, sample);
                await Console.Error.WriteLineAsync(Invariant(
                    $"{operation} {size} B, {callers} callers, {multiplexers} mux, run {repeat + 1}: {sample.OpsPerSecond:F0} ops/s, p50 {sample.P50Micros:F0} us, p99 {sample.P99Micros:F0} us, {sample.BytesPerOp:F0} B/op, {sample.Errors} errors"));
            }
        }

        return shape;
    }
}
