using System;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.Logging;

namespace RedisCaching.Invalidation.Internal;

/// <summary><see cref="ICacheInvalidator"/> over one cache's <see cref="ICacheKeySpace"/>.</summary>
internal sealed class CacheInvalidator : ICacheInvalidator
{
    private readonly ICache _cache;
    private readonly ICacheKeySpace _keySpace;
    private readonly PatternInvalidationOptions _defaults;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    public CacheInvalidator(ICache cache, PatternInvalidationOptions defaults, TimeProvider time, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(cache);
        ArgumentNullException.ThrowIfNull(defaults);
        _cache = cache;
        _keySpace = cache as ICacheKeySpace
            ?? throw new InvalidOperationException($"The cache ({cache.GetType().Name}) does not expose its key space (ICacheKeySpace): RedisCaching.Invalidation works on caches registered by AddRedisCaching or AddNamedCache.");
        defaults.Validate();
        _defaults = defaults.Clone();
        _time = time;
        _logger = logger;
    }

    public async Task<long> InvalidateByPatternAsync(
        string pattern,
        PatternInvalidationOptions? options = null,
        IProgress<PatternInvalidationProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        PatternGlob.Validate(pattern);
        var effective = options?.Clone() ?? _defaults;
        effective.Validate();
        cancellationToken.ThrowIfCancellationRequested();

        var multiplexer = await _keySpace.Connection.GetMultiplexerAsync(cancellationToken).ConfigureAwait(false);

        // With generations, only the current generation's entries: older ones are unreachable and expire by TTL.
        var entryPrefix = await _keySpace.GetEntryKeyPrefixAsync(cancellationToken).ConfigureAwait(false)
            ?? throw new PatternInvalidationException("The key space's generation could not be read from Redis, so nothing was removed.", 0, null);
        var run = new PatternRun(_keySpace, multiplexer, entryPrefix, pattern, effective, progress, _time, _logger);
        return await run.RunAsync(cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask<bool> InvalidateKeySpaceAsync(CancellationToken cancellationToken = default)
    {
        var recorded = await _keySpace.IncrementGenerationAsync(cancellationToken).ConfigureAwait(false);
        Log.KeySpaceInvalidated(_logger, recorded);
        return recorded;
    }

    public ValueTask<bool> InvalidateTagAsync(string tag, CacheInvalidationMode mode, CancellationToken cancellationToken = default) => mode switch
    {
        CacheInvalidationMode.Eager => _cache.RemoveByTagAsync(tag, cancellationToken),
        CacheInvalidationMode.Lazy => _cache.MarkStaleByTagAsync(tag, cancellationToken),
        _ => throw new ArgumentOutOfRangeException(nameof(mode), mode, "Eager or Lazy."),
    };
}
