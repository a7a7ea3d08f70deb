using System;
using System.Collections.Generic;
using System.Threading;

namespace RedisCaching.Internal.Engine;

/// <summary>Merges call options over the profile over the defaults, and validates the result (tags follow the key rules).</summary>
internal sealed class EntryOptionsResolver
{
    private readonly CacheEntryOptions _defaults;
    private readonly Dictionary<string, CacheEntryOptions> _profiles;
    private readonly ResolvedEntryOptions _resolvedDefaults;
    private readonly Func<string, string> _tagKeyOf;
    private readonly Codecs.CodecSet _codecs;

    /// <summary>
    /// The last options instance resolved. Callers usually pass the same few static instances, so this saves the
    /// merge on most calls; options are immutable records, so an instance always resolves the same way.
    /// </summary>
    private ResolvedEntryOptions? _last;

    /// <param name="defaults">The cache's default entry options.</param>
    /// <param name="profiles">Named profiles.</param>
    /// <param name="tagKeyOf">Validates a tag and returns the memory key of its token key.</param>
    /// <param name="codecs">The formats, codecs and encryptor options may name.</param>
    public EntryOptionsResolver(CacheEntryOptions defaults, IDictionary<string, CacheEntryOptions> profiles, Func<string, string> tagKeyOf, Codecs.CodecSet codecs)
    {
        _codecs = codecs;
        _defaults = defaults;
        _tagKeyOf = tagKeyOf;
        _profiles = new Dictionary<string, CacheEntryOptions>(profiles, StringComparer.OrdinalIgnoreCase);
        _resolvedDefaults = Merge(null, null);
    }

    public ResolvedEntryOptions Resolve(CacheEntryOptions? options) =>
        TryGetResolved(options, out var resolved) ? resolved : ResolveNew(options!);

    /// <summary>
    /// The resolved options when they need no merge (the defaults, or the options instance resolved last): this cannot
    /// throw, so a read may use it before checking its key (<see cref="RedisCache"/>'s memory-first reads).
    /// </summary>
    public bool TryGetResolved(CacheEntryOptions? options, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out ResolvedEntryOptions? resolved)
    {
        if (options is null || ReferenceEquals(options, CacheEntryOptions.Default))
        {
            resolved = _resolvedDefaults;
            return true;
        }

        resolved = Volatile.Read(ref _last);
        return resolved is not null && ReferenceEquals(resolved.ResolvedFrom, options);
    }

    private ResolvedEntryOptions ResolveNew(CacheEntryOptions options)
    {
        CacheEntryOptions? profile = null;
        if (options.Profile is { } name && !_profiles.TryGetValue(name, out profile))
        {
            throw new ArgumentException($"The cache profile '{name}' is not defined; add it to RedisCachingOptions.Profiles or RedisCaching:Profiles.", nameof(options));
        }

        var resolved = Merge(options, profile);
        Volatile.Write(ref _last, resolved);
        return resolved;
    }

    /// <summary>Merges <paramref name="call"/> over <paramref name="profile"/> over the defaults; the result records <paramref name="call"/>.</summary>
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

        var sliding = call?.SlidingExpiration ?? profile?.SlidingExpiration ?? _defaults.SlidingExpiration;
        if (sliding is { } window && (window <= TimeSpan.Zero || window.TotalMilliseconds < 1))
        {
            throw new ArgumentException("An entry's SlidingExpiration must be at least 1 ms.", nameof(call));
        }

        var (tags, tagKeys) = ResolveTags(call?.Tags ?? profile?.Tags ?? _defaults.Tags);

        var lockTimeout = call?.DistributedLockTimeout ?? profile?.DistributedLockTimeout ?? _defaults.DistributedLockTimeout;
        if (lockTimeout < TimeSpan.Zero)
        {
            throw new ArgumentException("DistributedLockTimeout must be positive, or zero to turn the cross-process lock off for the entry.", nameof(call));
        }

        var serializer = call?.Serializer ?? profile?.Serializer ?? _defaults.Serializer;
        if (serializer is not null)
        {
            _codecs.Serializer(serializer);
        }

        var compression = call?.Compression ?? profile?.Compression ?? _defaults.Compression;
        var encrypt = call?.Encrypt ?? profile?.Encrypt ?? _defaults.Encrypt ?? false;
        if (encrypt && _codecs.Encryptor is null)
        {
            throw new ArgumentException(Codecs.CodecSet.NoEncryptorMessage, nameof(call));
        }

        return new ResolvedEntryOptions(
            expiration,
            call?.FailSafeMaxDuration ?? profile?.FailSafeMaxDuration ?? _defaults.FailSafeMaxDuration ?? TimeSpan.Zero,
            call?.FactorySoftTimeout ?? profile?.FactorySoftTimeout ?? _defaults.FactorySoftTimeout,
            call?.FactoryHardTimeout ?? profile?.FactoryHardTimeout ?? _defaults.FactoryHardTimeout,
            threshold,
            (call?.Skip ?? CacheSkip.None) | (profile?.Skip ?? CacheSkip.None))
        {
            SlidingExpiration = sliding,
            Tags = tags,
            TagKeys = tagKeys,
            DistributedLockTimeout = lockTimeout == TimeSpan.Zero ? null : lockTimeout,
            SerializerName = serializer,
            Compressor = compression is null ? null : _codecs.Compressor(compression),
            Encrypt = encrypt,
            BackgroundRedisWrite = call?.BackgroundRedisWrite ?? profile?.BackgroundRedisWrite ?? _defaults.BackgroundRedisWrite ?? false,
            ResolvedFrom = call,
        };
    }

    private (string[]? Tags, string[]? TagKeys) ResolveTags(IReadOnlyList<string>? given)
    {
        if (given is not { Count: > 0 })
        {
            return (null, null);
        }

        var tags = new List<string>(given.Count);
        foreach (var tag in given)
        {
            ArgumentNullException.ThrowIfNull(tag, nameof(CacheEntryOptions.Tags));
            if (!tags.Contains(tag))
            {
                tags.Add(tag);
            }
        }

        var keys = new string[tags.Count];
        for (var i = 0; i < keys.Length; i++)
        {
            keys[i] = _tagKeyOf(tags[i]);
        }

        return ([.. tags], keys);
    }
}
