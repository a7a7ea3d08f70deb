using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;

namespace RedisCaching.Internal.Engine;

/// <summary>
/// <see cref="ICacheKeySpace"/>: what RedisCaching.Invalidation needs to remove many entries at once (where the keys
/// live, and how the in-process tiers learn about removals made on another connection).
/// </summary>
internal sealed partial class RedisCache : ICacheKeySpace
{
    public IRedisConnection Connection => _connection;

    public string KeyPrefix => _keys.KeyPrefix;

    public bool UsesGenerations => _keys.UsesGenerations;

    public ValueTask<string?> GetEntryKeyPrefixAsync(CancellationToken cancellationToken = default) => EntryPrefixAsync(create: false, cancellationToken);

    public async ValueTask<bool> InvalidateMemoryAsync(IReadOnlyList<string> redisKeys, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(redisKeys);
        try
        {
            await TellOtherInstancesAsync(redisKeys).WaitAsync(_redisTimeout, _time, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (Exception ex) when (ex is StackExchange.Redis.RedisException or TimeoutException or InvalidOperationException)
        {
            // This instance dropped them already; the others keep them until their memory lifetime bound.
            RecordRedisFailure("PUBLISH", ex, _guard);
            return false;
        }
    }

    /// <summary>On the backplane, through the main connection (where the keys were removed), not the tier's own.</summary>
    private async Task TellOtherInstancesAsync(IReadOnlyList<string> redisKeys)
    {
        var via = _memory.UsesBackplane ? (await _connection.GetMultiplexerAsync().ConfigureAwait(false)).GetDatabase() : null;
        await _memory.AfterForeignRemovalAsync(redisKeys, via).ConfigureAwait(false);
    }
}
