using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace RedisCaching.Invalidation.Internal;

/// <summary><see cref="ICacheDependencies"/> over one cache: dependencies as tags, closed over when an entry is written.</summary>
internal sealed class CacheDependencies : ICacheDependencies
{
    private readonly ICache _cache;
    private readonly ICacheKeySpace _keySpace;
    private readonly CacheDependencyOptions _options;
    private readonly ILogger _logger;

    public CacheDependencies(ICache cache, CacheDependencyOptions options, ILogger logger)
    {
        _cache = cache;
        _keySpace = cache as ICacheKeySpace
            ?? throw new InvalidOperationException($"The cache ({cache.GetType().Name}) does not expose its key space (ICacheKeySpace): dependencies work on caches registered by AddRedisCaching or AddNamedCache.");
        options.Validate();
        _options = options;
        _logger = logger;
    }

    public async ValueTask SetAsync<T>(string key, T value, IReadOnlyList<string> dependsOn, CacheEntryOptions? options = null, CancellationToken cancellationToken = default)
    {
        var record = await CloseAsync(key, dependsOn, options, cancellationToken).ConfigureAwait(false);
        await _cache.SetAsync(key, value, WithTags(options, record), cancellationToken).ConfigureAwait(false);
        await WriteRecordAsync(key, record).ConfigureAwait(false);
    }

    public async ValueTask<CacheResult<T>> GetOrSetAsync<TState, T>(
        string key,
        IReadOnlyList<string> dependsOn,
        TState state,
        Func<TState, CacheFactoryContext, CancellationToken, ValueTask<T>> factory,
        CacheEntryOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        // A hit needs no records: the entry already carries its dependencies' tags.
        var hit = await _cache.TryGetAsync<T>(key, options, cancellationToken).ConfigureAwait(false);
        if (hit.HasValue)
        {
            return hit;
        }

        var record = await CloseAsync(key, dependsOn, options, cancellationToken).ConfigureAwait(false);
        var result = await _cache.GetOrSetAsync(key, state, factory, WithTags(options, record), cancellationToken).ConfigureAwait(false);
        await WriteRecordAsync(key, record).ConfigureAwait(false);
        return result;
    }

    public async ValueTask<bool> InvalidateAsync(string key, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        await _cache.RemoveAsync(key, cancellationToken).ConfigureAwait(false);
        return await _cache.RemoveByTagAsync(CacheDependency.Tag(key), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// The entry's tags: its own, <c>dep:D</c> for each dependency D, and D's record's tags (all D carries, so every
    /// key up the chain). A record holding <c>dep:{key}</c> means a dependency already depends on this entry: a cycle.
    /// </summary>
    private async Task<DependencyRecord> CloseAsync(string key, IReadOnlyList<string> dependsOn, CacheEntryOptions? options, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        ArgumentNullException.ThrowIfNull(dependsOn);
        var self = CacheDependency.Tag(key);
        var tags = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var tag in options?.Tags ?? [])
        {
            if (seen.Add(tag))
            {
                tags.Add(tag);
            }
        }

        var depth = 0;
        if (dependsOn.Count > 0)
        {
            var multiplexer = await _keySpace.Connection.GetMultiplexerAsync(cancellationToken).ConfigureAwait(false);
            var database = multiplexer.GetDatabase();

            // One GET each, pipelined: on a cluster the records sit in different slots.
            var reads = new Task<RedisValue>[dependsOn.Count];
            for (var i = 0; i < dependsOn.Count; i++)
            {
                ArgumentException.ThrowIfNullOrEmpty(dependsOn[i], nameof(dependsOn));
                reads[i] = database.StringGetAsync(DependencyRecord.KeyFor(_keySpace, dependsOn[i]));
            }

            try
            {
                await Task.WhenAll(reads).WaitAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is RedisException or TimeoutException)
            {
                throw new CacheUnavailableException("The dependencies' records could not be read from Redis, so the entry was not written (its dependencies would be incomplete).", e);
            }

            for (var i = 0; i < dependsOn.Count; i++)
            {
                if (string.Equals(dependsOn[i], key, StringComparison.Ordinal))
                {
                    throw new CacheDependencyException("An entry cannot depend on itself (a cycle of length 1); nothing was written.");
                }

                var record = DependencyRecord.Decode(reads[i].Result);
                depth = Math.Max(depth, (record?.Depth ?? 0) + 1);
                foreach (var tag in (IEnumerable<string>)[CacheDependency.Tag(dependsOn[i]), .. record?.Tags ?? []])
                {
                    if (string.Equals(tag, self, StringComparison.Ordinal))
                    {
                        throw new CacheDependencyException($"A cycle: dependency #{i + 1} already depends on this entry; nothing was written.");
                    }

                    if (seen.Add(tag))
                    {
                        tags.Add(tag);
                    }
                }
            }
        }

        if (depth > _options.MaxDepth)
        {
            throw new CacheDependencyException($"The chain of dependencies is {depth} deep, more than CacheDependencyOptions.MaxDepth ({_options.MaxDepth}); nothing was written.");
        }

        if (tags.Count > _options.MaxTags)
        {
            throw new CacheDependencyException($"With its dependencies' the entry would carry {tags.Count} tags, more than CacheDependencyOptions.MaxTags ({_options.MaxTags}); nothing was written.");
        }

        return new DependencyRecord(depth, tags);
    }

    private static CacheEntryOptions WithTags(CacheEntryOptions? options, DependencyRecord record) =>
        (options ?? CacheEntryOptions.Default) with { Tags = record.Tags.Count == 0 ? null : record.Tags };

    /// <summary>
    /// Keeps the entry's tags for the entries that will depend on it, for as long as the entry lives in Redis (its
    /// PTTL, read after the write). A lost record makes entries that depend on this one later carry only its own
    /// <c>dep:</c> tag, not the ones above it, so a cascade from further up would pass them by: logged as a warning, not
    /// thrown, because the entry itself is written and correct.
    /// </summary>
    private async Task WriteRecordAsync(string key, DependencyRecord record)
    {
        try
        {
            var multiplexer = await _keySpace.Connection.GetMultiplexerAsync().ConfigureAwait(false);
            var database = multiplexer.GetDatabase();
            var recordKey = DependencyRecord.KeyFor(_keySpace, key);
            var entryPrefix = await _keySpace.GetEntryKeyPrefixAsync().ConfigureAwait(false);
            var lifetime = entryPrefix is null ? null : await database.KeyTimeToLiveAsync(entryPrefix + key).ConfigureAwait(false);
            if (entryPrefix is null || (lifetime is null && !await database.KeyExistsAsync(entryPrefix + key).ConfigureAwait(false)))
            {
                // The entry is not in Redis under its plain key (a long key HashLongKeys hashed, a failed write).
                Log.DependencyRecordSkipped(_logger);
                return;
            }

            await database.StringSetAsync(recordKey, record.Encode(), lifetime, When.Always).ConfigureAwait(false);
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            Log.DependencyRecordFailed(_logger, e);
        }
    }
}
