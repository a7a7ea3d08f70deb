using System.Threading;
using System.Threading.Tasks;

namespace RedisCaching.Internal.Engine;

/// <summary>A background refresh runs its factory only while the entry it was started for is still the current one.</summary>
internal sealed partial class RedisCache
{
    /// <summary>
    /// Reads the entry a refresh was started for again (memory first, so with the memory tier on this costs no Redis
    /// call while memory holds it): when a newer one is there and fresh (the refresh of the same entry that ended just
    /// before, another instance's refresh, any write), returns it and the factory does not run. Without this, a caller
    /// whose read returned the old entry before that refresh's write landed, and that got to the refresh marker after
    /// it was cleared, started a second refresh of the same entry, and the factory ran twice (found in CI: 3 factory
    /// calls for 1 refresh under load, with the memory tier off; across instances nothing stopped it either). This
    /// replaces the in-memory check <c>StartRefresh</c> had, which saw only this instance's memory. The second write would have been refused (it replaces only the entry it refreshes);
    /// the factory call was the waste. Null: the entry is still the one to refresh, gone, or Redis did not answer.
    /// </summary>
    private async ValueTask<CacheResult<T>?> ReplacedSinceRefreshStartedAsync<TState, T>(FlightRequest<TState, T> request)
    {
        var read = await ReadAsync<T>(request.MemoryKey, request.Resolved, CancellationToken.None).ConfigureAwait(false);
        var now = NowUnixMs;
        return read.Value is { } current && current.CreatedAtUnixMs > request.RefreshOfCreatedAtUnixMs && current.IsFreshAt(now)
            ? new CacheResult<T>(current.Value, current.Tier)
            : null;
    }
}
