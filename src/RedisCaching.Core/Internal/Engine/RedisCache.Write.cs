using System;
using System.Threading;
using System.Threading.Tasks;
using RedisCaching.Internal.Envelope;
using StackExchange.Redis;

namespace RedisCaching.Internal.Engine;

/// <summary>Writes: build the envelope in a pooled buffer, SET with the hard expiry as TTL, then update memory.</summary>
internal sealed partial class RedisCache
{
    public ValueTask SetAsync<T>(string key, T value, CacheEntryOptions? options = null, CancellationToken cancellationToken = default)
    {
        var memoryKey = _keys.ToMemoryKey(key);
        return new ValueTask(StoreAsync(memoryKey, value, _resolver.Resolve(options), cancellationToken));
    }

    public async ValueTask<bool> RemoveAsync(string key, CancellationToken cancellationToken = default)
    {
        var memoryKey = _keys.ToMemoryKey(key);
        var ticket = _memory.BeginFill(memoryKey);
        var outcome = await CallRedisAsync("DEL", (RedisKey)_keys.Qualify(memoryKey), static (db, k) => db.KeyDeleteAsync(k), write: true, cancellationToken).ConfigureAwait(false);

        // Whatever Redis said, this instance must not keep (or let an in-flight read put back) the old value.
        _memory.CompleteOwnWrite(memoryKey, ticket, null);
        if (outcome.Ok)
        {
            await _memory.AfterOwnWriteAsync(_keys.Qualify(memoryKey)).ConfigureAwait(false);
        }

        return outcome.Ok && outcome.Value;
    }

    public async ValueTask<bool> ExistsAsync(string key, CancellationToken cancellationToken = default)
    {
        var memoryKey = _keys.ToMemoryKey(key);
        if (TryReadMemoryEntry(memoryKey))
        {
            return true;
        }

        var outcome = await CallRedisAsync("EXISTS", (RedisKey)_keys.Qualify(memoryKey), static (db, k) => db.KeyExistsAsync(k), write: false, cancellationToken).ConfigureAwait(false);
        return outcome.Ok && outcome.Value;
    }

    private bool TryReadMemoryEntry(string memoryKey) =>
        _memory.TryGet(memoryKey, out var entry) && entry.LogicalExpiresAt.ToUnixTimeMilliseconds() > NowUnixMs;

    private async Task StoreAsync<T>(string memoryKey, T value, ResolvedEntryOptions resolved, CancellationToken cancellationToken)
    {
        var now = NowUnixMs;
        var logicalExpiry = now + (long)resolved.Expiration.TotalMilliseconds;
        var hardExpiry = logicalExpiry + (resolved.FailSafeEnabled ? (long)resolved.FailSafeMaxDuration.TotalMilliseconds : 0);
        var buffer = new PooledBufferWriter();
        try
        {
            EnvelopeFormat.WriteHeader(buffer, new EnvelopeHeader(SerializerIds.SystemTextJson, 0, 0, now, logicalExpiry, hardExpiry, null));
            var headerLength = buffer.WrittenCount;
            _serializers.Get<T>().Serialize(value, buffer);

            // Taken before the write: an invalidation from another client after this point means our value may
            // already be older than Redis's, and must not land in memory.
            var ticket = _memory.BeginFill(memoryKey);
            if (!resolved.Skips(CacheSkip.RedisWrite))
            {
                var redisKey = _keys.Qualify(memoryKey);
                var written = await WriteEntryAsync(redisKey, buffer, TimeSpan.FromMilliseconds(hardExpiry - now), cancellationToken).ConfigureAwait(false);
                if (buffer.WrittenCount == 0)
                {
                    buffer = null; // ownership went to the pending write
                }

                if (!written)
                {
                    // Redis did not take the value: keep nothing here either, so no instance serves what Redis never had.
                    _memory.CompleteOwnWrite(memoryKey, ticket, null);
                    return;
                }

                await _memory.AfterOwnWriteAsync(redisKey).ConfigureAwait(false);
            }

            if (!resolved.Skips(CacheSkip.MemoryWrite) && buffer is not null)
            {
                var stored = new StoredValue<T>(value, CacheTier.Memory, now, logicalExpiry, hardExpiry);
                _memory.CompleteOwnWrite(memoryKey, ticket, ToMemoryEntry(stored, buffer.WrittenMemory.Span[headerLength..]));
            }
        }
        finally
        {
            buffer?.Dispose();
        }
    }

    /// <summary>
    /// SETs the entry within the Redis budget. If the budget runs out while StackExchange.Redis still holds the bytes,
    /// the pooled buffer is handed over to the pending write (and returned when it completes), because returning it
    /// now would let the pool hand the same memory to another entry before it is sent: a wrong value for this key.
    /// Signals the hand-over by leaving <paramref name="buffer"/> empty.
    /// </summary>
    private async Task<bool> WriteEntryAsync(string redisKey, PooledBufferWriter buffer, TimeSpan ttl, CancellationToken cancellationToken)
    {
        if (!_guard.TryEnter())
        {
            Counters.SkippedOpen();
            return _throwOnRedisFailure ? throw new CacheUnavailableException("The circuit breaker around Redis is open; the cache is not calling it for now.") : false;
        }

        Task<bool> write;
        try
        {
            var database = await WriteDatabaseAsync(cancellationToken).ConfigureAwait(false);
            write = database.StringSetAsync(redisKey, buffer.WrittenMemory, ttl);
        }
        catch (Exception ex) when (IsRedisFailure(ex, cancellationToken))
        {
            RecordRedisFailure("SET", ex);
            return _throwOnRedisFailure ? throw new CacheUnavailableException("Redis failed during SET.", ex) : false;
        }

        try
        {
            await write.WaitAsync(_redisTimeout, _time, cancellationToken).ConfigureAwait(false);
            _guard.Success();
            return true;
        }
        catch (Exception ex) when (IsRedisFailure(ex, cancellationToken) || ex is OperationCanceledException)
        {
            if (!write.IsCompleted)
            {
                var handedOver = new PooledBufferWriter(0);
                buffer.MoveTo(handedOver);
                _ = write.ContinueWith(static (_, state) => ((PooledBufferWriter)state!).Dispose(), handedOver, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            }

            if (ex is OperationCanceledException && cancellationToken.IsCancellationRequested)
            {
                throw;
            }

            RecordRedisFailure("SET", ex);
            return _throwOnRedisFailure ? throw new CacheUnavailableException("Redis failed during SET.", ex) : false;
        }
    }

}
