using System;
using System.Collections.Generic;
using System.Threading;

namespace RedisCaching.Internal.Engine;

/// <summary>Merges call options over the profile over the defaults, and rejects what this version cannot honour yet.</summary>
internal sealed class EntryOptionsResolver
{
    private readonly CacheEntryOptions _defaults;
    private readonly Dictionary<string, CacheEntryOptions> _profiles;
    private readonly ResolvedEntryOptions _resolvedDefaults;

    /// <summary>
    /// The last options instance resolved. Callers usually pass the same few static instances, so this saves the
    /// merge on most calls; options are immutable records, so an instance always resolves the same way.
    /// </summary>
    private LastResolved? _last;

    public EntryOptionsResolver(CacheEntryOptions defaults, IDictionary<string, CacheEntryOptions> profiles)
    {
        _defaults = defaults;
        _profiles = new Dictionary<string, CacheEntryOptions>(profiles, StringComparer.OrdinalIgnoreCase);
        _resolvedDefaults = Merge(null, null);
    }

    public ResolvedEntryOptions Resolve(CacheEntryOptions? options)
    {
        if (options is null || ReferenceEquals(options, CacheEntryOptions.Default))
        {
            return _resolvedDefaults;
        }

        if (Volatile.Read(ref _last) is { } last && ReferenceEquals(last.Options, options))
        {
            return last.Resolved;
        }

        RejectUnsupported(options);
        CacheEntryOptions? profile = null;
        if (options.Profile is { } name && !_profiles.TryGetValue(name, out profile))
        {
            throw new ArgumentException($"The cache profile '{name}' is not defined; add it to RedisCachingOptions.Profiles or RedisCaching:Profiles.", nameof(options));
        }

        var resolved = Merge(options, profile);
        Volatile.Write(ref _last, new LastResolved(options, resolved));
        return resolved;
    }

    private ResolvedEntryOptions Merge(CacheEntryOptions? call, CacheEntryOptions? profile)
    {
        var expiration = call?.Expiration ?? profile?.Expiration ?? _defaults.Expiration ?? TimeSpan.FromMinutes(5);
        if (expiration <= TimeSpan.Zero)
        {
            throw new ArgumentException("An entry's Expiration must be positive.", nameof(call));
        }

        var threshold = call?.EagerRefreshThreshold ?? profile?.EagerRefreshThreshold ?? _defaults.EagerRefreshThreshold ?? 0f;
        if (threshold is < 0f or >= 1f)
        {
            throw new ArgumentException("EagerRefreshThreshold must be at least 0 and below 1.", nameof(call));
        }

        var lockTimeout = call?.DistributedLockTimeout ?? profile?.DistributedLockTimeout ?? _defaults.DistributedLockTimeout;
        if (lockTimeout < TimeSpan.Zero)
        {
            throw new ArgumentException("DistributedLockTimeout must be positive, or zero to turn the cross-process lock off for the entry.", nameof(call));
        }

        return new ResolvedEntryOptions(
            expiration,
            call?.FailSafeMaxDuration ?? profile?.FailSafeMaxDuration ?? _defaults.FailSafeMaxDuration ?? TimeSpan.Zero,
            call?.FactorySoftTimeout ?? profile?.FactorySoftTimeout ?? _defaults.FactorySoftTimeout,
            call?.FactoryHardTimeout ?? profile?.FactoryHardTimeout ?? _defaults.FactoryHardTimeout,
            threshold,
            (call?.Skip ?? CacheSkip.None) | (profile?.Skip ?? CacheSkip.None))
        {
            DistributedLockTimeout = lockTimeout == TimeSpan.Zero ? null : lockTimeout,
        };
    }

    private static void RejectUnsupported(CacheEntryOptions options)
    {
        // Not built yet: refusing is honest; silently ignoring a tag would make RemoveByTag miss entries later.
        if (options.Tags is { Count: > 0 })
        {
            throw new NotSupportedException("Tags are not supported by this version of RedisCaching yet.");
        }

        if (options.SlidingExpiration is not null)
        {
            throw new NotSupportedException("Sliding expiration is not supported by this version of RedisCaching yet.");
        }
    }

    private sealed record LastResolved(CacheEntryOptions Options, ResolvedEntryOptions Resolved);
}
