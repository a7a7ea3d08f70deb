using System;
using System.Threading;
using System.Threading.Tasks;

namespace RedisCaching.Invalidation.Internal;

/// <summary>A warming job as <c>AddWarmingJob</c> registered it; the scheduler runs it without knowing its value type.</summary>
internal abstract class CacheWarmingJob(string name)
{
    public string Name { get; } = name;

    /// <summary>Runs the job once on <paramref name="warmer"/>; <paramref name="services"/> is the run's scope (so a query may use a scoped database context).</summary>
    public abstract Task<CacheWarmingReport> RunAsync(IServiceProvider services, ICacheWarmer warmer, IProgress<CacheWarmingProgress>? progress, CancellationToken cancellationToken);
}
