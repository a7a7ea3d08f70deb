using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;

namespace RedisCaching.Invalidation.Internal;

/// <summary>A warming job over values of type <typeparamref name="T"/>: its key query, its loader and its <see cref="CacheWarmingOptions"/>.</summary>
internal sealed class CacheWarmingJob<T>(
    string name,
    Func<IServiceProvider, CancellationToken, IAsyncEnumerable<string>> keys,
    Func<IServiceProvider, string, CancellationToken, ValueTask<T>> load,
    CacheWarmingOptions options) : CacheWarmingJob(name)
{
    public override Task<CacheWarmingReport> RunAsync(IServiceProvider services, ICacheWarmer warmer, IProgress<CacheWarmingProgress>? progress, CancellationToken cancellationToken) =>
        warmer.WarmAsync(keys(services, cancellationToken), (key, ct) => load(services, key, ct), options, progress, cancellationToken);
}
