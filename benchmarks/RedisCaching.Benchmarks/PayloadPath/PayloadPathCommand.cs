using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Text;
using System.Threading.Tasks;
using BenchmarkDotNet.Attributes;

namespace RedisCaching.Benchmarks.PayloadPath;

/// <summary>
/// <c>payload-path [--rounds N] [--invokes N] [--out FILE] [--server-pid PID]</c>: the PayloadPath suites' benchmark
/// methods run in one process, interleaved: every round runs each case <c>--invokes</c> times (after a short warm-up), in
/// an order rotated per round, and each case's time per operation is divided by its category baseline's time in the same
/// round. Reported: the median over rounds of that ratio, the median time per operation, the allocated bytes per
/// operation (<c>GC.GetTotalAllocatedBytes(true)</c>, every thread), and CPU per operation: this process's (user +
/// system, every thread) and, with <c>--server-pid</c>, the Redis server's main thread (<c>/proc/PID/schedstat</c>, Linux).
/// CPU per operation moves less than time with the other load on a shared box, and it shows the server's share. BenchmarkDotNet runs each case in its own process at high
/// priority, minutes apart; on this 2-core box that process-to-process variance swamps differences of a few µs.
/// </summary>
internal static class PayloadPathCommand
{
    private sealed record Case(string Suite, string Size, string Category, string Name, bool Baseline, int OpsPerInvoke, Func<ValueTask> Invoke);

    public static async Task<int> RunAsync(ReadOnlyMemory<string> arguments)
    {
        int rounds = 5, invokes = 100;
        string? output = null;
        int? serverPid = null;
        ReadOnlySpan<string> args = arguments.Span;
        for (int i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--rounds": rounds = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--invokes": invokes = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--out": output = args[++i]; break;
                case "--server-pid": serverPid = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                default:
                    await Console.Error.WriteLineAsync("Usage: payload-path [--rounds N (5)] [--invokes N per case per round (100)] [--out FILE] [--server-pid PID]");
                    return 2;
            }
        }

        var suites = new List<(object Instance, string Suite, string Size)>
        {
            (new PayloadPathBenchmarks(), "round trip, 64 in flight", "medium"),
            (new PayloadPathSmallBenchmarks(), "round trip, 64 in flight", "small"),
            (new PayloadPathEnvelopeBenchmarks { Size = "medium" }, "SET", "medium"),
            (new PayloadPathEnvelopeBenchmarks { Size = "small" }, "SET", "small"),
        };
        var cases = new List<Case>();
        foreach (var (instance, suite, size) in suites)
        {
            await (Task)instance.GetType().GetMethod("SetupAsync")!.Invoke(instance, null)!;
            foreach (MethodInfo method in instance.GetType().GetMethods())
            {
                if (method.GetCustomAttribute<BenchmarkAttribute>() is not { } benchmark)
                {
                    continue;
                }

                string category = method.GetCustomAttribute<BenchmarkCategoryAttribute>()!.Categories[0];
                Func<ValueTask> invoke = method.ReturnType == typeof(ValueTask)
                    ? method.CreateDelegate<Func<ValueTask>>(instance)
                    : WrapTask(method.CreateDelegate<Func<Task>>(instance));
                cases.Add(new Case(suite, size, category, method.Name, benchmark.Baseline, benchmark.OperationsPerInvoke, invoke));
            }
        }

        var times = cases.ToDictionary(static c => c, static _ => new List<double>());
        var ratios = cases.ToDictionary(static c => c, static _ => new List<double>());
        var allocated = cases.ToDictionary(static c => c, static _ => new List<double>());
        var clientCpu = cases.ToDictionary(static c => c, static _ => new List<double>());
        var serverCpu = cases.ToDictionary(static c => c, static _ => new List<double>());
        using var process = System.Diagnostics.Process.GetCurrentProcess();
        for (int round = 0; round < rounds; round++)
        {
            var thisRound = new Dictionary<Case, double>();
            int shift = round * cases.Count / rounds;
            foreach (Case c in cases.Skip(shift).Concat(cases.Take(shift)))
            {
                for (int i = 0; i < Math.Max(5, invokes / 10); i++)
                {
                    await c.Invoke();
                }

                double ops = (double)invokes * c.OpsPerInvoke;
                process.Refresh();
                TimeSpan cpuBefore = process.TotalProcessorTime;
                double serverBefore = ServerCpuMicroseconds(serverPid);
                long before = GC.GetTotalAllocatedBytes(true);
                long start = System.Diagnostics.Stopwatch.GetTimestamp();
                for (int i = 0; i < invokes; i++)
                {
                    await c.Invoke();
                }

                double us = System.Diagnostics.Stopwatch.GetElapsedTime(start).TotalMicroseconds / ops;
                allocated[c].Add((GC.GetTotalAllocatedBytes(true) - before) / ops);
                serverCpu[c].Add((ServerCpuMicroseconds(serverPid) - serverBefore) / ops);
                process.Refresh();
                clientCpu[c].Add((process.TotalProcessorTime - cpuBefore).TotalMicroseconds / ops);
                thisRound[c] = us;
                times[c].Add(us);
            }

            foreach (Case c in cases)
            {
                Case baseline = cases.Single(b => b.Baseline && b.Suite == c.Suite && b.Size == c.Size && b.Category == c.Category);
                ratios[c].Add(thisRound[c] / thisRound[baseline]);
            }

            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"round {round + 1} of {rounds} done"));
        }

        var report = new StringBuilder();
        report.AppendLine(string.Create(CultureInfo.InvariantCulture, $"payload-path: {rounds} rounds x {invokes} invokes per case, order rotated per round; median over rounds; ratio = time / the category baseline's time in the same round."));
        report.AppendLine();
        report.AppendLine("| shape | size | category | case | µs per op (median) | ratio to baseline | per-round ratio range | allocated B/op | client CPU µs/op | server CPU µs/op |");
        report.AppendLine("|---|---|---|---|---:|---:|---|---:|---:|---:|");
        foreach (Case c in cases)
        {
            report.AppendLine(string.Create(CultureInfo.InvariantCulture,
                $"| {c.Suite} | {c.Size} | {c.Category} | {c.Name}{(c.Baseline ? " (baseline)" : "")} | {Median(times[c]):F1} | {Median(ratios[c]):F2} | {ratios[c].Min():F2}-{ratios[c].Max():F2} | {Median(allocated[c]):N0} | {Median(clientCpu[c]):F2} | {(serverPid is null ? "" : Median(serverCpu[c]).ToString("F2", CultureInfo.InvariantCulture))} |"));
        }

        Console.WriteLine(report);
        if (output is not null)
        {
            await File.WriteAllTextAsync(output, report.ToString());
        }

        foreach (var (instance, _, _) in suites)
        {
            await (Task)instance.GetType().GetMethod("CleanupAsync")!.Invoke(instance, null)!;
        }

        return 0;
    }

    /// <summary>The Redis server's main thread's CPU time so far (the first field of schedstat, in ns), or 0 without a pid.</summary>
    private static double ServerCpuMicroseconds(int? pid) => pid is { } p
        ? long.Parse(File.ReadAllText($"/proc/{p}/schedstat").Split(' ')[0], CultureInfo.InvariantCulture) / 1000.0
        : 0;

    /// <summary>
    /// Both kinds are awaited as a <see cref="ValueTask"/>: wrapping a Task costs nothing, while turning a pending
    /// ValueTask into a Task (as this mode first did) allocated ~100 B per sequential cache write that the raw rows
    /// did not pay.
    /// </summary>
    private static Func<ValueTask> WrapTask(Func<Task> invoke) => () => new ValueTask(invoke());

    private static double Median(List<double> values)
    {
        double[] sorted = [.. values.Order()];
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
    }
}
