using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace RedisCaching.Invalidation.Internal;

/// <summary>
/// The readiness gate: <paramref name="whileWarming"/> until the first (start-up) run finishes, then Healthy, or
/// <paramref name="failedWarming"/> if that run had a failure and no later run has succeeded. Later runs that fail
/// never take readiness away: the gate is about start-up, and a cache that was warm once is not a reason to stop serving.
/// </summary>
internal sealed class CacheWarmingHealthCheck(CacheWarmingState? state, HealthStatus whileWarming, HealthStatus failedWarming) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (state is null)
        {
            // A misregistration answered as a result: a check that throws from its factory fails the whole health report.
            return Task.FromResult(new HealthCheckResult(context.Registration.FailureStatus, "The warming health check has no warming to watch: call AddWarming() (or AddWarmingJob) on the AddRedisCaching() builder."));
        }

        var (runs, anySucceeded, last) = state.Read();
        var result = runs == 0
            ? new HealthCheckResult(whileWarming, "Start-up cache warming is running.")
            : anySucceeded
                ? HealthCheckResult.Healthy("Cache warming: " + last)
                : new HealthCheckResult(failedWarming, "Start-up cache warming had failures: " + last);
        return Task.FromResult(result);
    }
}
