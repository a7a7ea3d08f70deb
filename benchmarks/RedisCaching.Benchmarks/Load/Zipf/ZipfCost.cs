using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using StackExchange.Redis;

namespace RedisCaching.Benchmarks.Load.Zipf;

/// <summary>
/// What the measured window cost, per operation: this process's CPU (every thread), the Redis server's main thread
/// (with <c>--server-pid</c>; <c>/proc/PID/schedstat</c>, Linux), bytes allocated, garbage collections, and the
/// commands Redis executed (<c>INFO commandstats</c>, so the pings, SETs and GETs each peer sends show apart), the
/// thread pool's work items and this process's context switches (every live thread's, <c>/proc/self/task</c>,
/// Linux): on a box whose cores the callers keep busy, each wake-up of a sleeping thread costs more than the command
/// that caused it.
/// Throughput alone did not say where a peer's time goes; these do, without a profiler.
/// </summary>
internal sealed class ZipfCost
{
    private readonly TimeSpan _cpu;
    private readonly double _serverMicros;
    private readonly long _allocated;
    private readonly int[] _collections;
    private readonly Dictionary<string, long> _commands;
    private readonly long _workItems;
    private readonly long _contextSwitches;

    private ZipfCost(TimeSpan cpu, double serverMicros, long allocated, int[] collections, Dictionary<string, long> commands, long workItems, long contextSwitches)
    {
        _workItems = workItems;
        _contextSwitches = contextSwitches;
        _cpu = cpu;
        _serverMicros = serverMicros;
        _allocated = allocated;
        _collections = collections;
        _commands = commands;
    }

    /// <summary>Takes the snapshot; <paramref name="admin"/> reads INFO (null: no command counts).</summary>
    public static async Task<ZipfCost> TakeAsync(IServer? admin, int? serverPid)
    {
        Dictionary<string, long> commands = admin is null ? [] : await CommandCallsAsync(admin);
        return new ZipfCost(
            Process.GetCurrentProcess().TotalProcessorTime,
            serverPid is { } pid ? long.Parse(File.ReadAllText($"/proc/{pid}/schedstat").Split(' ')[0], CultureInfo.InvariantCulture) / 1000.0 : double.NaN,
            GC.GetTotalAllocatedBytes(precise: false),
            [GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2)],
            commands,
            ThreadPool.CompletedWorkItemCount,
            ContextSwitches());
    }

    /// <summary>Voluntary and involuntary context switches of this process's live threads so far; 0 where /proc is missing.</summary>
    private static long ContextSwitches()
    {
        if (!Directory.Exists("/proc/self/task"))
        {
            return 0;
        }

        long total = 0;
        foreach (string task in Directory.EnumerateDirectories("/proc/self/task"))
        {
            try
            {
                foreach (string line in File.ReadLines(Path.Combine(task, "status")))
                {
                    if (line.StartsWith("voluntary_ctxt_switches:", StringComparison.Ordinal) || line.StartsWith("nonvoluntary_ctxt_switches:", StringComparison.Ordinal))
                    {
                        total += long.Parse(line.AsSpan(line.IndexOf(':', StringComparison.Ordinal) + 1).Trim(), CultureInfo.InvariantCulture);
                    }
                }
            }
            catch (IOException)
            {
                // The thread ended meanwhile.
            }
        }

        return total;
    }

    /// <summary>The costs between <paramref name="before"/> and <paramref name="after"/>, divided by <paramref name="ops"/>.</summary>
    public static ZipfCostPerOp Between(ZipfCost before, ZipfCost after, long ops)
    {
        double n = Math.Max(1, ops);
        var commands = after._commands
            .Select(pair => (pair.Key, Calls: pair.Value - before._commands.GetValueOrDefault(pair.Key)))
            .Where(pair => pair.Calls > 0 && pair.Key is not "info")
            .OrderByDescending(pair => pair.Calls)
            .ToDictionary(pair => pair.Key, pair => pair.Calls * 1000.0 / n);
        return new ZipfCostPerOp(
            (after._cpu - before._cpu).TotalMicroseconds / n,
            (after._serverMicros - before._serverMicros) / n,
            (after._allocated - before._allocated) / n,
            after._collections[0] - before._collections[0],
            after._collections[1] - before._collections[1],
            after._collections[2] - before._collections[2],
            commands,
            (after._workItems - before._workItems) * 1000.0 / n,
            (after._contextSwitches - before._contextSwitches) * 1000.0 / n);
    }

    private static async Task<Dictionary<string, long>> CommandCallsAsync(IServer admin)
    {
        // Lines like "cmdstat_get:calls=123,usec=...": the calls of each command since start.
        var calls = new Dictionary<string, long>(StringComparer.Ordinal);
        string? info = await admin.InfoRawAsync("commandstats");
        foreach (string line in (info ?? string.Empty).Split('\n'))
        {
            const string Prefix = "cmdstat_";
            int colon = line.IndexOf(':', StringComparison.Ordinal);
            int start = line.IndexOf("calls=", StringComparison.Ordinal);
            if (!line.StartsWith(Prefix, StringComparison.Ordinal) || colon < 0 || start < 0)
            {
                continue;
            }

            int end = line.IndexOf(',', start);
            calls[line[Prefix.Length..colon]] = long.Parse(line.AsSpan(start + 6, (end < 0 ? line.Length : end) - start - 6), CultureInfo.InvariantCulture);
        }

        return calls;
    }
}

/// <summary>
/// Per operation: client and server CPU (µs), bytes allocated, GCs in the window; per 1,000 operations: Redis commands,
/// thread-pool work items and context switches (threads that ended during the window are not counted).
/// </summary>
internal sealed record ZipfCostPerOp(
    double ClientCpuMicros,
    double ServerCpuMicros,
    double AllocatedBytes,
    int Gen0,
    int Gen1,
    int Gen2,
    IReadOnlyDictionary<string, double> CommandsPerThousand,
    double WorkItemsPerThousand,
    double ContextSwitchesPerThousand)
{
    /// <summary>"get 12.3, set 10.1, ping 0.4" (per 1,000 operations).</summary>
    public string CommandsText => CommandsPerThousand.Count == 0
        ? "-"
        : string.Join(", ", CommandsPerThousand.Select(pair => string.Create(CultureInfo.InvariantCulture, $"{pair.Key} {pair.Value:F2}")));
}
