using System;

namespace RedisCaching.Internal.Engine;

/// <summary>An entry's options with the call, its profile and the defaults merged; every value is set.</summary>
internal readonly record struct ResolvedEntryOptions(
    TimeSpan Expiration,
    TimeSpan FailSafeMaxDuration,
    TimeSpan? FactorySoftTimeout,
    TimeSpan? FactoryHardTimeout,
    float EagerRefreshThreshold,
    CacheSkip Skip)
{
    public bool FailSafeEnabled => FailSafeMaxDuration > TimeSpan.Zero;

    public bool Skips(CacheSkip skip) => (Skip & skip) != 0;
}
