using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Diagnostics;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.Logging;

namespace RedisCaching.Invalidation.Internal;

/// <summary><see cref="ICacheWarmer"/> over one cache: <see cref="Parallel.ForEachAsync{TSource}(IAsyncEnumerable{TSource}, ParallelOptions, Func{TSource, CancellationToken, ValueTask})"/> bounded by the concurrency limit.</summary>
internal sealed class CacheWarmer(ICache cache, TimeProvider time, ILogger logger) : ICacheWarmer
{
    public async Task<CacheWarmingReport> WarmAsync<T>(
        IAsyncEnumerable<string> keys,
        Func<string, CancellationToken, ValueTask<T>> load,
        CacheWarmingOptions? options = null,
        IProgress<CacheWarmingProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(keys);
        ArgumentNullException.ThrowIfNull(load);
        options ??= new CacheWarmingOptions();
        options.Validate();
        var started = time.GetTimestamp();
        var failures = new ConcurrentQueue<CacheWarmingFailure>();
        int loaded = 0, skipped = 0;
        long lastReport = started;
        var reportGate = new object();

        void Report(bool completed)
        {
            if (progress is null)
            {
                return;
            }

            lock (reportGate)
            {
                var now = time.GetTimestamp();
                if (!completed && time.GetElapsedTime(lastReport, now) < options.ProgressInterval)
                {
                    return;
                }

                lastReport = now;
                progress.Report(new CacheWarmingProgress(Volatile.Read(ref loaded), Volatile.Read(ref skipped), failures.Count, time.GetElapsedTime(started, now), completed));
            }
        }

        var parallel = new ParallelOptions { MaxDegreeOfParallelism = options.MaxConcurrency, CancellationToken = cancellationToken };
        try
        {
            await Parallel.ForEachAsync(keys, parallel, async (key, ct) =>
            {
                try
                {
                    if (!options.Overwrite && await cache.ExistsAsync(key, ct).ConfigureAwait(false))
                    {
                        Interlocked.Increment(ref skipped);
                    }
                    else
                    {
                        var value = await load(key, ct).ConfigureAwait(false);
                        await cache.SetAsync(key, value, options.EntryOptions, ct).ConfigureAwait(false);
                        Interlocked.Increment(ref loaded);
                    }
                }
                catch (Exception e) when (!ct.IsCancellationRequested)
                {
                    // One bad key (a loader bug, a row gone, a key the cache refuses) must not stop the others.
                    failures.Enqueue(new CacheWarmingFailure(key, e));
                }

                Report(completed: false);
            }).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            Report(completed: true);
            Log.WarmingCancelled(logger, loaded, skipped, failures.Count);
            throw;
        }

        Report(completed: true);
        var elapsed = time.GetElapsedTime(started);
        Log.Warmed(logger, loaded, skipped, failures.Count, (long)elapsed.TotalMilliseconds);
        return new CacheWarmingReport(loaded, skipped, [.. failures], elapsed);
    }
}
