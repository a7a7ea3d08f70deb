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
/// (with <c>--server-pid</c>; <c>/proc/PID/schedstat</c>, Linux), bytes allocated, garbage collections, the
/// commands Redis executed (<c>INFO commandstats</c>, so the pings, SETs and GETs each peer sends show apart), the
/// thread pool's work items and this process's context switches (per thread, <c>/proc/self/task</c>, Linux).
/// Throughput alone did not say where a peer's time goes; these do, without a profiler.
/// </summary>
/// <remarks>
/// The local counters are taken on a thread of their own (<see cref="TakeOnTime"/>), on time: callers whose
/// reads all complete at once never give their thread-pool threads back, and a snapshot taken by a task then ran
/// only after the window (HybridCache's CPU read 0.00 µs per operation in such runs). The command counts need a
/// Redis reply, so they are read by a task, which such callers can delay.
/// </remarks>
internal sealed class ZipfCost
{
    private readonly TimeSpan _cpu;
    private readonly double _serverMicros;
    private readonly long _allocated;
    private readonly int[] _collections;
    private readonly Dictionary<string, long> _commands;
    private readonly long _workItems;
    private readonly Dictionary<int, long>? _contextSwitches;

    private ZipfCost(TimeSpan cpu, double serverMicros, long allocated, int[] collections, Dictionary<string, long> commands, long workItems, Dictionary<int, long>? contextSwitches)
    {
        _cpu = cpu;
        _serverMicros = serverMicros;
        _allocated = allocated;
        _collections = collections;
        _commands = commands;
        _workItems = workItems;
        _contextSwitches = contextSwitches;
    }

    /// <summary>
    /// Starts a thread that takes this process's counters at <paramref name="from"/> and at <paramref name="until"/>
    /// (<see cref="Stopwatch"/> timestamps), each followed by <paramref name="alongside"/> (counters of the caller's
    /// own, taken at the same moment); the task completes with both once the second is taken.
    /// </summary>
    public static Task<(ZipfCost Before, T BeforeAlongside, ZipfCost After, T AfterAlongside)> TakeOnTime<T>(long from, long until, int? serverPid, Func<T> alongside)
    {
        var done = new TaskCompletionSource<(ZipfCost, T, ZipfCost, T)>(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(() =>
        {
            try
            {
                SleepUntil(from);
                ZipfCost before = TakeLocal(serverPid);
                T beforeAlongside = alongside();
                SleepUntil(until);
                ZipfCost after = TakeLocal(serverPid);
                done.SetResult((before, beforeAlongside, after, alongside()));
            }
            catch (Exception e)
            {
                done.SetException(e);
            }
        })
        {
            IsBackground = true,
            Name = "zipf window",
        };
        thread.Start();
        return done.Task;
    }

    /// <summary>The calls of each command Redis has executed so far (<paramref name="admin"/> null: none).</summary>
    public static Task<Dictionary<string, long>> CommandsNowAsync(IServer? admin) =>
        admin is null ? Task.FromResult(new Dictionary<string, long>()) : CommandCallsAsync(admin);

    /// <summary>This snapshot with the command counts <paramref name="commands"/> (<see cref="CommandsNowAsync"/>) gives.</summary>
    public async Task<ZipfCost> WithCommandsFromAsync(Task<Dictionary<string, long>> commands) =>
        new(_cpu, _serverMicros, _allocated, _collections, await commands, _workItems, _contextSwitches);

    private static ZipfCost TakeLocal(int? serverPid) => new(
        Process.GetCurrentProcess().TotalProcessorTime,
        serverPid is { } pid ? long.Parse(File.ReadAllText($"/proc/{pid}/schedstat").Split(' ')[0], CultureInfo.InvariantCulture) / 1000.0 : double.NaN,
        GC.GetTotalAllocatedBytes(precise: false),
        [GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2)],
        [],
        ThreadPool.CompletedWorkItemCount,
        ContextSwitchesPerThread());

    private static void SleepUntil(long timestamp)
    {
        TimeSpan remaining = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), timestamp);
        if (remaining > TimeSpan.Zero)
        {
            Thread.Sleep(remaining);
        }
    }

    /// <summary>Voluntary and involuntary context switches of each live thread so far, by thread id; null where /proc is missing.</summary>
    private static Dictionary<int, long>? ContextSwitchesPerThread()
    {
        if (!Directory.Exists("/proc/self/task"))
        {
            return null;
        }

        var switches = new Dictionary<int, long>();
        foreach (string task in Directory.EnumerateDirectories("/proc/self/task"))
        {
            try
            {
                long total = 0;
                foreach (string line in File.ReadLines(Path.Combine(task, "status")))
                {
                    if (line.StartsWith("voluntary_ctxt_switches:", StringComparison.Ordinal) || line.StartsWith("nonvoluntary_ctxt_switches:", StringComparison.Ordinal))
                    {
                        total += long.Parse(line.AsSpan(line.IndexOf(':', StringComparison.Ordinal) + 1).Trim(), CultureInfo.InvariantCulture);
                    }
                }

                switches[int.Parse(Path.GetFileName(task), CultureInfo.InvariantCulture)] = total;
            }
            catch (IOException)
            {
                // The thread ended meanwhile.
            }
        }

        return switches;
    }

    /// <summary>
    /// The switches made between the two snapshots by threads alive at the second (a thread started since counts
    /// from zero); those of threads that ended in between are missed. NaN without /proc.
    /// </summary>
    private static double ContextSwitchesBetween(Dictionary<int, long>? before, Dictionary<int, long>? after) =>
        before is null || after is null ? double.NaN : after.Sum(pair => pair.Value - before.GetValueOrDefault(pair.Key));

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
            ContextSwitchesBetween(before._contextSwitches, after._contextSwitches) * 1000.0 / n);
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
/// thread-pool work items and context switches (those of threads that ended during the window are missed).
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
    /// <summary>"get 12.3, set 10.1, ping 0.4" (per 1,000 operations); a subcommand's bar escaped for a Markdown table cell.</summary>
    public string CommandsText => CommandsPerThousand.Count == 0
        ? "-"
        : string.Join(", ", CommandsPerThousand.Select(pair => string.Create(CultureInfo.InvariantCulture, $"{pair.Key.Replace("|", "\\|", StringComparison.Ordinal)} {pair.Value:F2}")));
}
