using System;
using System.Threading;
using System.Threading.Tasks;
using RedisCaching.Internal.Keys;

namespace RedisCaching.Internal.Engine;

/// <summary>
/// Generations (<see cref="CacheKeyOptions.Generations"/>): the key space's generation is a token kept in Redis at
/// <c>{key prefix}!generation</c>, read and replaced like a tag token (RedisCache.Tags.cs: random, never 0, a lost key
/// reads as 0 so it can only hide entries, never bring old ones back), and every entry's Redis key carries it. Replacing
/// it is one <c>SET</c>, whatever the number of entries. Every instance's in-process tier empties itself when the token
/// key changes (<c>CoherentMemoryTier.FlushKey</c>: through tracking or the backplane, and for our own replacement), so
/// a memory hit checks nothing; a Redis call reads the token from memory (one lookup), else from Redis.
/// </summary>
/// <remarks>
/// Order matters: a caller takes its fill ticket before it asks for the entry key, so a flush between the two (a new
/// generation) voids the ticket and a value read or written under the old generation never reaches memory.
/// </remarks>
internal sealed partial class RedisCache
{
    /// <summary>The Redis key of an entry: the current entry prefix and the memory key.</summary>
    /// <param name="memoryKey">The entry's memory key.</param>
    /// <param name="create">A write: creates the generation token when Redis has none (a read then finds nothing anyway).</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>The key, or null when the generation could not be read from Redis (a failed call).</returns>
    private ValueTask<string?> EntryKeyAsync(string memoryKey, bool create, CancellationToken cancellationToken)
    {
        if (!_keys.UsesGenerations)
        {
            return new ValueTask<string?>(_keys.Qualify(memoryKey));
        }

        var prefix = EntryPrefixAsync(create, cancellationToken);
        return prefix.IsCompletedSuccessfully
            ? new ValueTask<string?>(prefix.Result is { } known ? string.Concat(known, memoryKey) : null)
            : AfterPrefixAsync(prefix, memoryKey);

        static async ValueTask<string?> AfterPrefixAsync(ValueTask<string?> pending, string memoryKey) =>
            await pending.ConfigureAwait(false) is { } prefix ? string.Concat(prefix, memoryKey) : null;
    }

    /// <summary>Where the Redis keys of the current entries start; null when the generation could not be read.</summary>
    private ValueTask<string?> EntryPrefixAsync(bool create, CancellationToken cancellationToken)
    {
        if (!_keys.UsesGenerations)
        {
            return new ValueTask<string?>(_keys.KeyPrefix);
        }

        if (_memory.TryGet(CacheKeyBuilder.GenerationKey, NowUnixMs, out var held) && held.Value is long generation)
        {
            return new ValueTask<string?>(_keys.EntryPrefix(generation));
        }

        return ReadGenerationAsync(create, cancellationToken);
    }

    private async ValueTask<string?> ReadGenerationAsync(bool create, CancellationToken cancellationToken)
    {
        // A missing token reads as 0 (nothing was ever written under it); a write creates one first.
        var tokens = await CurrentTokensAsync([CacheKeyBuilder.GenerationKey], create, cancellationToken).ConfigureAwait(false);
        return tokens is null ? null : _keys.EntryPrefix(tokens[0]);
    }

    public ValueTask<bool> IncrementGenerationAsync(CancellationToken cancellationToken = default) =>
        _keys.UsesGenerations
            ? ReplaceTokenAsync(CacheKeyBuilder.GenerationKey, cancellationToken)
            : throw new InvalidOperationException("This cache's key space has no generations: set RedisCaching:Keys:Generations = true (or CacheKeyOptions.Generations) to invalidate it in O(1).");
}
