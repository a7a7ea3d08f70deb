using System;
using System.Threading;
using System.Threading.Tasks;
using RedisCaching.Internal.Envelope;
using StackExchange.Redis;

namespace RedisCaching.Internal.Engine;

/// <summary>
/// Writes: build the envelope in a pooled buffer, SET with the hard expiry as TTL, then update memory. Our writes
/// travel on the NOLOOP connection, so Redis never tells us about them: every way out of a write that is not a
/// confirmed success must leave memory safe by itself (see <see cref="AfterUncertainWrite"/>).
/// </summary>
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
        var confirmed = false;
        try
        {
            var redisKey = _keys.Qualify(memoryKey);
            var outcome = await CallRedisAsync("DEL", (RedisKey)redisKey, static (db, k) => db.KeyDeleteAsync(k), write: true, cancellationToken).ConfigureAwait(false);
            if (!outcome.Ok)
            {
                return false;
            }

            confirmed = true;
            _memory.CompleteOwnWrite(memoryKey, ticket, null);
            await PublishOwnWriteAsync(redisKey).ConfigureAwait(false);
            return outcome.Value;
        }
        finally
        {
            if (!confirmed)
            {
                AfterUncertainWrite(memoryKey, ticket);
            }
        }
    }

    public async ValueTask<bool> ExistsAsync(string key, CancellationToken cancellationToken = default)
    {
        var memoryKey = _keys.ToMemoryKey(key);
        var now = NowUnixMs;
        if (_memory.TryGet(memoryKey, now, out var entry) && entry.LogicalExpiresAtUnixMs > now)
        {
            return true;
        }

        var outcome = await CallRedisAsync("EXISTS", (RedisKey)_keys.Qualify(memoryKey), static (db, k) => db.KeyExistsAsync(k), write: false, cancellationToken).ConfigureAwait(false);
        return outcome.Ok && outcome.Value;
    }

    private async Task StoreAsync<T>(string memoryKey, T value, ResolvedEntryOptions resolved, CancellationToken cancellationToken)
    {
        var now = NowUnixMs;
        var logicalExpiry = now + (long)resolved.Expiration.TotalMilliseconds;
        var hardExpiry = logicalExpiry + (resolved.FailSafeEnabled ? (long)resolved.FailSafeMaxDuration.TotalMilliseconds : 0);
        var buffer = new PooledBufferWriter();
        try
        {
            EnvelopeFormat.WriteHeader(buffer, new EnvelopeHeader(SerializerRegistry.IdOf<T>(), 0, 0, now, logicalExpiry, hardExpiry, null));
            var headerLength = buffer.WrittenCount;
            _serializers.Get<T>().Serialize(value, buffer);
            var entry = resolved.Skips(CacheSkip.MemoryWrite)
                ? null
                : ToMemoryEntry(new StoredValue<T>(value, CacheTier.Memory, now, logicalExpiry, hardExpiry), buffer.WrittenMemory.Span[headerLength..]);

            // Taken before the write: an invalidation from another client after this point means our value may
            // already be older than Redis's, and must not land in memory.
            var ticket = _memory.BeginFill(memoryKey);
            if (resolved.Skips(CacheSkip.RedisWrite))
            {
                _memory.CompleteOwnWrite(memoryKey, ticket, entry);
                return;
            }

            var redisKey = _keys.Qualify(memoryKey);
            var confirmed = false;
            try
            {
                confirmed = await WriteEntryAsync(redisKey, buffer, TimeSpan.FromMilliseconds(hardExpiry - now), cancellationToken).ConfigureAwait(false);
                if (confirmed)
                {
                    _memory.CompleteOwnWrite(memoryKey, ticket, entry);
                    await PublishOwnWriteAsync(redisKey).ConfigureAwait(false);
                }
            }
            finally
            {
                if (!confirmed)
                {
                    AfterUncertainWrite(memoryKey, ticket);
                }
            }
        }
        finally
        {
            // Empty when the buffer was handed over to a write still pending in StackExchange.Redis.
            buffer.Dispose();
        }
    }

    /// <summary>
    /// SETs the entry within the Redis budget. If the budget runs out while StackExchange.Redis still holds the bytes,
    /// the pooled memory is handed over to the pending write (and returned when it completes), because returning it
    /// now would let the pool hand the same memory to another entry before it is sent: a wrong value for this key.
    /// </summary>
    private async Task<bool> WriteEntryAsync(string redisKey, PooledBufferWriter buffer, TimeSpan ttl, CancellationToken cancellationToken)
    {
        if (!_guard.TryEnter())
        {
            Counters.SkippedOpen();
            return _throwOnRedisFailure ? throw new CacheUnavailableException("The circuit breaker around Redis is open; the cache is not calling it for now.") : false;
        }

        var deadline = _time.GetUtcNow() + _redisTimeout;
        Task<bool>? write = null;
        var verdict = false;
        try
        {
            var database = await WriteDatabaseAsync(cancellationToken).AsTask().WaitAsync(_redisTimeout, _time, cancellationToken).ConfigureAwait(false);
            write = database.StringSetAsync(redisKey, buffer.WrittenMemory, ttl);
            var remaining = deadline - _time.GetUtcNow();
            await write.WaitAsync(remaining > TimeSpan.Zero ? remaining : TimeSpan.Zero, _time, cancellationToken).ConfigureAwait(false);
            verdict = true;
            _guard.Success();
            return true;
        }
        catch (Exception ex) when (IsRedisFailure(ex, cancellationToken))
        {
            verdict = true;
            RecordRedisFailure("SET", ex);
            return _throwOnRedisFailure ? throw new CacheUnavailableException("Redis failed during SET.", ex) : false;
        }
        finally
        {
            if (!verdict)
            {
                _guard.Abandon();
            }

            if (write is { IsCompleted: false })
            {
                var handedOver = new PooledBufferWriter(0);
                buffer.MoveTo(handedOver);
                _ = write.ContinueWith(static (_, state) => ((PooledBufferWriter)state!).Dispose(), handedOver, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            }
        }
    }

    /// <summary>Backplane mode tells the other instances; a failure here is logged, never the caller's problem.</summary>
    private async Task PublishOwnWriteAsync(string redisKey)
    {
        if (_memory.Mode != CacheCoherenceMode.Backplane)
        {
            return;
        }

        try
        {
            await _memory.AfterOwnWriteAsync(redisKey).AsTask().WaitAsync(_redisTimeout, _time).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException or InvalidOperationException)
        {
            RecordRedisFailure("PUBLISH", ex);
        }
    }

    /// <summary>
    /// A write that was (or may have been) sent but not confirmed: a timeout, a cancellation, a failure. It may still
    /// land in Redis later, and on the NOLOOP connection nothing will tell us. So the key is dropped now, fills of it
    /// are refused while it is in doubt, and a PING on the same connection (which replies only after every earlier
    /// command on it ran) ends the doubt by dropping the key once more.
    /// </summary>
    private void AfterUncertainWrite(string memoryKey, Memory.FillTicket ticket)
    {
        if (_memory.Mode is CacheCoherenceMode.Disabled)
        {
            return;
        }

        // In doubt first, then the bump: a fill that starts after the bump sees the doubt; one before it, the bump.
        _inDoubt.AddOrUpdate(memoryKey, 1, static (_, count) => count + 1);
        _memory.CompleteOwnWrite(memoryKey, ticket, null);
        _ = FenceAsync(memoryKey);
    }

    private async Task FenceAsync(string memoryKey)
    {
        var delay = TimeSpan.FromMilliseconds(100);
        while (!_disposed.IsCancellationRequested)
        {
            try
            {
                if (_memory.Mode is CacheCoherenceMode.Tracking or CacheCoherenceMode.Backplane)
                {
                    await _memory.WriteDatabase.PingAsync().WaitAsync(TimeSpan.FromSeconds(5), _time, _disposed.Token).ConfigureAwait(false);
                }

                // Either the PING proved the write ran, or the tier is not coherent (it flushed, and flushes again
                // when it comes back): in both cases the key can be dropped one last time and filled again.
                _memory.CompleteOwnWrite(memoryKey, _memory.BeginFill(memoryKey), null);
                break;
            }
            catch (Exception ex) when (ex is RedisException or TimeoutException or InvalidOperationException or OperationCanceledException)
            {
                await Task.Delay(delay, _time, CancellationToken.None).ConfigureAwait(false);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, TimeSpan.FromSeconds(5).Ticks));
            }
        }

        _inDoubt.AddOrUpdate(memoryKey, 0, static (_, count) => count - 1);
        _inDoubt.TryRemove(new(memoryKey, 0));
    }

    private bool IsInDoubt(string memoryKey) => !_inDoubt.IsEmpty && _inDoubt.TryGetValue(memoryKey, out var count) && count > 0;
}
