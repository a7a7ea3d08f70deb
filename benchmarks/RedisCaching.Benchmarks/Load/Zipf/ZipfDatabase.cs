using System;
using System.Diagnostics;
using System.Threading;
using System.Threading.Tasks;
using RedisCaching.Benchmarks.Peers;

namespace RedisCaching.Benchmarks.Load.Zipf;

/// <summary>
/// The slow "database" behind the caches: a version per key, a factory that takes <c>delay</c> and counts its calls,
/// and, per key, the last write that completed (its version and when), which is what a read is checked against.
/// Writes to one key are serialized (striped locks), so the workload itself never completes writes out of order.
/// </summary>
internal sealed class ZipfDatabase
{
    private readonly long[] _versions;
    private readonly WriteMark?[] _completed;
    private readonly SemaphoreSlim[] _writeLocks;
    private readonly TimeSpan _delay;
    private long _factoryCalls;

    public ZipfDatabase(int keys, TimeSpan delay)
    {
        _versions = new long[keys];
        _completed = new WriteMark?[keys];
        _writeLocks = new SemaphoreSlim[256];
        for (int i = 0; i < _writeLocks.Length; i++)
        {
            _writeLocks[i] = new SemaphoreSlim(1, 1);
        }

        _delay = delay;
        Factory = LoadAsync;
    }

    /// <summary>The factory every cache gets: one delegate for the run, given the key.</summary>
    public Func<string, CancellationToken, ValueTask<BenchRecord>> Factory { get; }

    public long FactoryCalls => Volatile.Read(ref _factoryCalls);

    /// <summary>The last completed write of the key, or <see langword="null"/> if none yet.</summary>
    public WriteMark? LastCompletedWrite(int id) => Volatile.Read(ref _completed[id]);

    /// <summary>Writes a new version to the "database", then through <paramref name="cache"/>, then records the
    /// completion. Returns the time the cache write took (the write latency reported).</summary>
    public async Task<long> WriteAsync(ICacheUnderTest cache, string key, int id)
    {
        SemaphoreSlim gate = _writeLocks[id % _writeLocks.Length];
        await gate.WaitAsync();
        try
        {
            long version = Interlocked.Increment(ref _versions[id]);
            long began = Stopwatch.GetTimestamp();
            await cache.SetAsync(key, BenchRecord.Create(id, version));
            long completed = Stopwatch.GetTimestamp();
            Volatile.Write(ref _completed[id], new WriteMark(version, completed));
            return completed - began;
        }
        finally
        {
            gate.Release();
        }
    }

    // The "query" answers with the state at the end of its latency, as a real database's would be at about the
    // time it replies: this keeps the fill-versus-write race inherent in cache-aside as small as it can be.
    private async ValueTask<BenchRecord> LoadAsync(string key, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _factoryCalls);
        await Task.Delay(_delay, cancellationToken);
        int id = int.Parse(key.AsSpan(key.LastIndexOf(':') + 1), provider: System.Globalization.CultureInfo.InvariantCulture);
        return BenchRecord.Create(id, Volatile.Read(ref _versions[id]));
    }
}

/// <summary>A completed write: the version written and the <see cref="Stopwatch"/> timestamp it completed at.</summary>
internal sealed record WriteMark(long Version, long CompletedAt);
