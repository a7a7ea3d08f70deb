using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace RedisCaching.Invalidation.Internal;

/// <summary>
/// Runs the registered warming jobs once at start-up, then on <see cref="CacheWarmingScheduleOptions.Interval"/>.
/// A background service, so the host starts (and serves) while the first run goes on; the readiness check is what
/// holds traffic back when the app asks for it.
/// </summary>
internal sealed class CacheWarmingService(
    IServiceProvider services,
    IEnumerable<CacheWarmingJob> jobs,
    CacheWarmingScheduleOptions options,
    CacheWarmingState state,
    TimeProvider time,
    ILogger logger) : BackgroundService
{
    private readonly CacheWarmingJob[] _jobs = [.. jobs];

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Created before the first run so the schedule counts from start-up, whatever the first run takes.
        using var timer = options.Interval is { } interval ? new PeriodicTimer(interval, time) : null;
        try
        {
            do
            {
                await RunAsync(stoppingToken).ConfigureAwait(false);
            }
            while (timer is not null && await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutdown: the warmer let loads in flight finish and started no new one; nothing to report.
        }
    }

    private async Task RunAsync(CancellationToken cancellationToken)
    {
        var started = time.GetTimestamp();
        int failedJobs = 0, failedKeys = 0, loaded = 0, skipped = 0;

        // One scope per run: a job's query may use scoped services (a DbContext) that must not outlive the run.
        var scope = services.CreateAsyncScope();
        await using (scope.ConfigureAwait(false))
        {
            var warmer = scope.ServiceProvider.GetRequiredService<ICacheWarmer>();
            foreach (var job in _jobs)
            {
                try
                {
                    var progress = options.OnProgress is { } onProgress ? new JobProgress(job.Name, onProgress) : null;
                    var report = await job.RunAsync(scope.ServiceProvider, warmer, progress, cancellationToken).ConfigureAwait(false);
                    (loaded, skipped, failedKeys) = (loaded + report.Loaded, skipped + report.Skipped, failedKeys + report.Failures.Count);
                    options.OnReport?.Invoke(job.Name, report);
                }
                catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                {
                    throw;
                }
                catch (Exception e)
                {
                    // A job whose query (or report callback) throws must not keep the other jobs cold.
                    failedJobs++;
                    Log.WarmingJobFailed(logger, job.Name, e);
                }
            }
        }

        var elapsed = (long)time.GetElapsedTime(started).TotalMilliseconds;
        state.Completed(
            succeeded: failedJobs == 0 && failedKeys == 0,
            $"{_jobs.Length} jobs, {loaded} keys loaded, {skipped} skipped, {failedKeys} failed, {failedJobs} jobs failed, in {elapsed} ms.");
        Log.WarmingRunFinished(logger, _jobs.Length, loaded, skipped, failedKeys, failedJobs, elapsed);
    }

    /// <summary>Tells the app's callback on the reporting thread, with the job's name (Progress&lt;T&gt; would post to a context a host does not have).</summary>
    private sealed class JobProgress(string name, Action<string, CacheWarmingProgress> report) : IProgress<CacheWarmingProgress>
    {
        public void Report(CacheWarmingProgress value) => report(name, value);
    }
}
