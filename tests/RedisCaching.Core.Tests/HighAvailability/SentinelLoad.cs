using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Diagnostics;
using System.Threading;
using System.Threading.Tasks;
using RedisCaching.Internal.Engine;

namespace RedisCaching.Core.Tests.HighAvailability;

/// <summary>
/// Concurrent reads and writes of a few keys through two cache instances while the topology under them fails over.
/// Values are "{key}:{version}", versions counted per key, so a read can be checked against its key and against the
/// last write acknowledged before it started.
/// </summary>
/// <param name="names">The keys' names (default "k0", "k1", ...): a cluster test picks names whose slots a reshard moves.</param>
internal sealed class SentinelLoad(RedisCache first, RedisCache second, int keys, TimeSpan staleness, IReadOnlyList<string>? names = null)
{
    private readonly AckLog[] _acks = CreateLogs(keys);
    private readonly long[] _versions = new long[keys];
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private long _lastFailureTicks = -1;
    private long _longestCallTicks;
    private long _checkAfterTicks = long.MaxValue;

    public ConcurrentQueue<string> WrongKeyValues { get; } = new();

    public ConcurrentQueue<string> UntypedExceptions { get; } = new();

    /// <summary>
    /// Reads that started after <see cref="CheckStalenessFrom"/> and returned a version older than one acknowledged more
    /// than the staleness bound before they started (the bound is what the cache promises: Memory:MaxStaleness).
    /// </summary>
    public ConcurrentQueue<string> OlderThanAcknowledged { get; } = new();

    public long Reads;
    public long MemoryHits;
    public long Writes;
    public long Failures;

    /// <summary>When the last failed or degraded call ended, on the load's clock; null when none failed.</summary>
    public TimeSpan? LastFailure => Volatile.Read(ref _lastFailureTicks) is >= 0 and var ticks ? TimeSpan.FromTicks(ticks) : null;

    public TimeSpan Now => _clock.Elapsed;

    /// <summary>The longest call (read or write, succeeded or failed): how long a caller was kept waiting at most.</summary>
    public TimeSpan LongestCall => TimeSpan.FromTicks(Volatile.Read(ref _longestCallTicks));

    /// <summary>From now on, reads are checked against the writes acknowledged before they started.</summary>
    public void CheckStalenessFrom() => Volatile.Write(ref _checkAfterTicks, _clock.Elapsed.Ticks);

    /// <summary>Stops checking reads against acknowledged writes (while a failover may lose some of them).</summary>
    public void PauseStalenessCheck() => Volatile.Write(ref _checkAfterTicks, long.MaxValue);

    private const int PauseEvery = 8;

    public async Task RunAsync(int workers, CancellationToken stop)
    {
        var tasks = new List<Task>();
        for (var w = 0; w < workers; w++)
        {
            var worker = w;
            tasks.Add(Task.Run(() => WorkAsync(worker, workers, stop), CancellationToken.None));
        }

        await Task.WhenAll(tasks);
    }

    private async Task WorkAsync(int worker, int workers, CancellationToken stop)
    {
        var calls = 0;
        var random = new Random(worker);
        while (!stop.IsCancellationRequested)
        {
            var index = random.Next(_versions.Length);
            var startedTicks = _clock.Elapsed.Ticks;
            try
            {
                if (random.Next(10) < 3)
                {
                    // One writer per key, always through the same instance (one connection): its writes reach Redis in
                    // version order, even one that failed for its caller and is sent later from the client's backlog.
                    index -= index % workers;
                    index = Math.Min(index + worker, _versions.Length - 1);
                    if (index % workers == worker)
                    {
                        await WriteAsync(index % 2 == 0 ? first : second, index, NameOf(index));
                    }
                }
                else
                {
                    await ReadAsync(random.Next(2) == 0 ? first : second, index, NameOf(index));
                }
            }
            catch (CacheUnavailableException ex)
            {
                LastFailureDetail = ex.Message + " <- " + ex.InnerException?.GetType().Name + ": " + ex.InnerException?.Message;
                Failed(startedTicks, LastFailureDetail);
            }
            catch (Exception ex)
            {
                UntypedExceptions.Enqueue(ex.GetType().Name + ": " + ex.Message);
                Failed(startedTicks, ex.GetType().Name + ": " + ex.Message);
            }

            RecordCallTime(_clock.Elapsed.Ticks - startedTicks);

            // A millisecond's pause every few calls: still thousands of calls a second, but the client does not take
            // both cores from the servers and sentinels it shares them with (starved, they promoted 2-3x slower).
            if (++calls % PauseEvery == 0)
            {
                try
                {
                    await Task.Delay(1, stop);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }
            else
            {
                await Task.Yield();
            }
        }
    }

    private string NameOf(int index) => names is null ? "k" + index : names[index];

    private async Task WriteAsync(RedisCache cache, int index, string key)
    {
        // The caches throw CacheUnavailableException on a Redis failure (ThrowOnRedisFailure): a write that returns
        // was acknowledged by Redis.
        var version = Interlocked.Increment(ref _versions[index]);
        await cache.SetAsync(key, key + ":" + version);
        Interlocked.Increment(ref Writes);
        _acks[index].Add(version, _clock.Elapsed.Ticks);
    }

    private async Task ReadAsync(RedisCache cache, int index, string key)
    {
        var startedTicks = _clock.Elapsed.Ticks;
        var ackedBefore = _acks[index].LastAckedBefore(startedTicks - staleness.Ticks);
        var read = await cache.TryGetAsync<string>(key);
        Interlocked.Increment(ref Reads);
        if (!read.HasValue)
        {
            return;
        }

        if (read.Tier == CacheTier.Memory)
        {
            Interlocked.Increment(ref MemoryHits);
        }

        var separator = read.Value!.LastIndexOf(':');
        if (separator < 0 || read.Value[..separator] != key)
        {
            WrongKeyValues.Enqueue($"{key} -> {read.Value}");
            return;
        }

        var version = long.Parse(read.Value[(separator + 1)..], System.Globalization.CultureInfo.InvariantCulture);
        if (startedTicks > Volatile.Read(ref _checkAfterTicks) && version < ackedBefore)
        {
            OlderThanAcknowledged.Enqueue($"{key}: read {version} ({read.Tier}) after {ackedBefore} was acknowledged more than {staleness.TotalMilliseconds} ms before, at {TimeSpan.FromTicks(startedTicks).TotalSeconds:0.00} s");
        }
    }

    /// <summary>
    /// After the load stopped: every key read through <paramref name="reader"/>, against the last version acknowledged
    /// for it. A key holding an older version (or nothing) lost an acknowledged write; a later version is fine (a write
    /// that failed for its caller may still have landed).
    /// </summary>
    public async Task<List<string>> LostAcknowledgedWritesAsync(RedisCache reader)
    {
        var lost = new List<string>();
        for (var index = 0; index < _versions.Length; index++)
        {
            var acknowledged = _acks[index].LastAckedBefore(long.MaxValue);
            if (acknowledged == 0)
            {
                continue;
            }

            var key = NameOf(index);
            var read = await reader.TryGetAsync<string>(key);
            var version = read.HasValue ? long.Parse(read.Value![(read.Value!.LastIndexOf(':') + 1)..], System.Globalization.CultureInfo.InvariantCulture) : 0;
            if (version < acknowledged)
            {
                lost.Add($"{key}: version {acknowledged} was acknowledged, the cluster has {(read.HasValue ? version : "nothing")}");
            }
        }

        return lost;
    }

    private void RecordCallTime(long ticks)
    {
        var longest = Volatile.Read(ref _longestCallTicks);
        while (ticks > longest && Interlocked.CompareExchange(ref _longestCallTicks, ticks, longest) is var seen && seen != longest)
        {
            longest = seen;
        }
    }

    /// <summary>What the last failed call said (for the test's output).</summary>
    public string? LastFailureDetail { get; private set; }

    /// <summary>Every failed call: when it started and ended on the load's clock, and what it said (for the test's output).</summary>
    public ConcurrentQueue<(TimeSpan Started, TimeSpan Ended, string Detail)> FailedCalls { get; } = new();

    private void Failed(long startedTicks, string detail)
    {
        Interlocked.Increment(ref Failures);
        var ended = _clock.Elapsed.Ticks;
        Volatile.Write(ref _lastFailureTicks, ended);
        FailedCalls.Enqueue((TimeSpan.FromTicks(startedTicks), TimeSpan.FromTicks(ended), detail));
    }

    private static AckLog[] CreateLogs(int keys)
    {
        var logs = new AckLog[keys];
        for (var i = 0; i < keys; i++)
        {
            logs[i] = new AckLog();
        }

        return logs;
    }

    /// <summary>The recent acknowledged writes of one key, in version order (one writer per key).</summary>
    private sealed class AckLog
    {
        private readonly Lock _gate = new();
        private readonly (long Version, long AckTicks)[] _recent = new (long, long)[256];
        private int _count;

        public void Add(long version, long ackTicks)
        {
            lock (_gate)
            {
                _recent[_count++ % _recent.Length] = (version, ackTicks);
            }
        }

        /// <summary>The highest version acknowledged at or before <paramref name="ticks"/>, 0 when none is known.</summary>
        public long LastAckedBefore(long ticks)
        {
            lock (_gate)
            {
                for (var i = _count - 1; i >= Math.Max(0, _count - _recent.Length); i--)
                {
                    var (version, ackTicks) = _recent[i % _recent.Length];
                    if (ackTicks <= ticks)
                    {
                        return version;
                    }
                }

                return 0;
            }
        }
    }
}
