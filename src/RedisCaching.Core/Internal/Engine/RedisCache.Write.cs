using System;
using System.Collections.Generic;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
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
            if (await EntryKeyAsync(memoryKey, create: false, cancellationToken).ConfigureAwait(false) is not { } redisKey)
            {
                return false;
            }

            var outcome = await CallRedisAsync("DEL", (RedisKey)redisKey, static (db, k) => db.KeyDeleteAsync(k), write: true, cancellationToken).ConfigureAwait(false);
            if (!outcome.Ok)
            {
                return false;
            }

            confirmed = true;
            Counters.Removal();
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
        if (_memory.TryGet(memoryKey, now, out var entry) && entry.LogicalExpiresAtUnixMs > now
            && (entry.Tags is null || CheckTagsInMemory(entry.Tags, now, inSameRead: true) == TagCheck.Valid))
        {
            return true;
        }

        // The header (and tags) decide, not the key's presence: a stale or tag-removed entry does not exist.
        if (await EntryKeyAsync(memoryKey, create: false, cancellationToken).ConfigureAwait(false) is not { } redisKey)
        {
            return false;
        }

        var head = await CallRedisAsync("GETRANGE", (RedisKey)redisKey, static (db, k) => db.StringGetRangeAsync(k, 0, ExistsProbeLength - 1), write: false, cancellationToken).ConfigureAwait(false);
        if (!head.Ok || head.Value.IsNullOrEmpty)
        {
            return false;
        }

        var bytes = (ReadOnlyMemory<byte>)head.Value;
        var status = EnvelopeFormat.TryRead(bytes.Span, out var header, out _);
        if (status == EnvelopeReadStatus.Corrupt && bytes.Length == ExistsProbeLength)
        {
            // A tag section longer than the probe: read the whole entry.
            var full = await CallRedisAsync("GET", (RedisKey)redisKey, static (db, k) => db.StringGetAsync(k), write: false, cancellationToken).ConfigureAwait(false);
            if (!full.Ok || full.Value.IsNullOrEmpty)
            {
                return false;
            }

            status = EnvelopeFormat.TryRead(((ReadOnlyMemory<byte>)full.Value).Span, out header, out _);
        }

        if (status != EnvelopeReadStatus.Ok || header.LogicalExpiresAtUnixMs <= NowUnixMs)
        {
            return false;
        }

        if (header.Tags is not { Count: > 0 })
        {
            return true;
        }

        return ToTagStamps(header.Tags, header.TagTokens) is { } stamps && await TagsValidAsync(stamps, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>How much of an entry <see cref="ExistsAsync"/> reads: the header and, in all but odd cases, its tags.</summary>
    private const int ExistsProbeLength = 1024;

    /// <param name="memoryKey">The entry's memory key.</param>
    /// <param name="value">The value.</param>
    /// <param name="resolved">The entry's options.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <param name="tagTokens">
    /// The tags' tokens when the caller read them earlier (get-or-set reads them before the factory runs, so a
    /// remove-by-tag during the factory invalidates what it returns); read here when null.
    /// </param>
    private async Task StoreAsync<T>(string memoryKey, T value, ResolvedEntryOptions resolved, CancellationToken cancellationToken, long[]? tagTokens = null)
    {
        TagStamps? stamps = null;
        if (resolved.TagKeys is { } tagKeys)
        {
            tagTokens ??= await CurrentTokensAsync(tagKeys, create: true, cancellationToken).ConfigureAwait(false);
            if (tagTokens is null)
            {
                // Without the tokens the entry could not be removed by its tags later: it is not cached at all.
                return;
            }

            stamps = new TagStamps(tagKeys, tagTokens);
        }

        var now = NowUnixMs;
        var expiration = (long)resolved.Expiration.TotalMilliseconds;
        long slidingMs = 0;
        long logicalExpiry;
        long hardExpiry;
        long ttl;
        if (resolved.SlidingExpiration is { } sliding)
        {
            // The header records the cap (logical = hard = cap); Redis's TTL is the window, extended by reads.
            slidingMs = Math.Max(1, (long)sliding.TotalMilliseconds);
            logicalExpiry = hardExpiry = now + expiration;
            ttl = Math.Min(slidingMs, expiration);
        }
        else
        {
            logicalExpiry = now + expiration;
            hardExpiry = logicalExpiry + (resolved.FailSafeEnabled ? (long)resolved.FailSafeMaxDuration.TotalMilliseconds : 0);
            ttl = hardExpiry - now;
        }

        var format = _formats.Get<T>(resolved.SerializerName);
        var keyId = format.Encrypts(resolved.Encrypt) ? ActiveEncryptionKeyId() : (ushort)0;

        // Taken before the key is built and the write sent: an invalidation from another client (or a new key space
        // generation) after this point means our value may already be older than Redis's, and must not land in memory.
        var ticket = _memory.BeginFill(memoryKey);
        if (await EntryKeyAsync(memoryKey, create: !resolved.Skips(CacheSkip.RedisWrite), cancellationToken).ConfigureAwait(false) is not { } redisKey)
        {
            // Without the generation there is no key to write under: not cached at all, as without tag tokens.
            return;
        }

        var buffer = new PooledBufferWriter();
        PooledBufferWriter? scratch = null;

        ReadOnlyMemory<byte> WriteEntry(ushort keyId)
        {
            EnvelopeFormat.WriteHeader(buffer, new EnvelopeHeader(format.SerializerId, 0, keyId, now, logicalExpiry, hardExpiry, resolved.Tags) { TagTokens = tagTokens, SlidingMs = slidingMs, TypeFingerprint = format.TypeFingerprint });
            return WritePayload(value, format, format.CompressorFor(resolved.Compressor), keyId, redisKey, buffer, out scratch);
        }
        try
        {
            ReadOnlyMemory<byte> serialized;
            try
            {
                serialized = WriteEntry(keyId);
            }
            catch (CryptographicException) when (keyId != 0 && ActiveEncryptionKeyId() != keyId)
            {
                // The key ring changed between choosing the key and encrypting, and the chosen key left it (a rotation
                // that activated a new key and removed the old one at once). The header records the key id and is
                // authenticated, so the entry is built again, once, with the key that is active now.
                scratch?.Dispose();
                scratch = null;
                buffer.Clear();
                keyId = ActiveEncryptionKeyId();
                serialized = WriteEntry(keyId);
            }

            if (Telemetry.CacheInstruments.SerializedSize.Enabled)
            {
                Telemetry.CacheInstruments.SerializedSize.Record(buffer.WrittenCount, new KeyValuePair<string, object?>(RedisCachingTelemetry.CacheNameTag, Name));
            }

            var memoryExpiry = now + ttl;
            var entry = resolved.Skips(CacheSkip.MemoryWrite)
                ? null
                : ToMemoryEntry(
                    new StoredValue<T>(value, CacheTier.Memory, now, slidingMs > 0 ? memoryExpiry : logicalExpiry, memoryExpiry),
                    serialized.Span,
                    format.Serializer,
                    stamps,
                    slidingMs,
                    slidingMs > 0 ? hardExpiry : 0,
                    format.TypeFingerprint,
                    authenticated: keyId != 0,
                    touchedAtUnixMs: now,
                    localOnly: resolved.Skips(CacheSkip.RedisWrite));
            scratch?.Dispose();
            scratch = null;

            if (resolved.Skips(CacheSkip.RedisWrite))
            {
                _memory.CompleteOwnWrite(memoryKey, ticket, entry);
                Counters.Set();
                return;
            }

            var confirmed = false;
            try
            {
                confirmed = await WriteEntryAsync(redisKey, buffer, TimeSpan.FromMilliseconds(ttl), cancellationToken).ConfigureAwait(false);
                if (confirmed)
                {
                    Counters.Set();
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
            scratch?.Dispose();

            // Empty when the buffer was handed over to a write still pending in StackExchange.Redis.
            buffer.Dispose();
        }
    }

    private ushort ActiveEncryptionKeyId() => _codecs.Encryptor!.ActiveKeyId is > 0 and var id
        ? id
        : throw new InvalidOperationException("The ICacheEncryptor's ActiveKeyId is 0, which means 'not encrypted'; key ids start at 1.");

    /// <summary>
    /// SETs the entry within the Redis budget. If the budget runs out while StackExchange.Redis still holds the bytes,
    /// the pooled memory is handed over to the pending write (and returned when it completes), because returning it
    /// now would let the pool hand the same memory to another entry before it is sent: a wrong value for this key.
    /// </summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<bool> WriteEntryAsync(string redisKey, PooledBufferWriter buffer, TimeSpan ttl, CancellationToken cancellationToken)
    {
        if (!_guard.TryEnter())
        {
            Counters.SkippedOpen();
            return _throwOnRedisFailure ? throw new CacheUnavailableException("The circuit breaker around Redis is open; the cache is not calling it for now.") : false;
        }

        var deadline = _time.GetUtcNow() + _redisTimeout;
        var startedAt = Telemetry.CacheInstruments.RedisOperationDuration.Enabled ? System.Diagnostics.Stopwatch.GetTimestamp() : 0;
        Task<bool>? write = null;
        var verdict = false;
        try
        {
            var pendingDatabase = WriteDatabaseAsync(cancellationToken);
            var database = pendingDatabase.IsCompletedSuccessfully
                ? pendingDatabase.Result
                : await pendingDatabase.AsTask().WaitAsync(_redisTimeout, _time, cancellationToken).ConfigureAwait(false);
            write = database.StringSetAsync(redisKey, buffer.WrittenMemory, ttl);
            var remaining = deadline - _time.GetUtcNow();

            // A pooled wait (no timer or promise allocated per write); the handover below still applies on timeout.
            await BudgetedCall<bool>.WaitAsync(write, remaining > TimeSpan.Zero ? remaining : TimeSpan.Zero, _time, cancellationToken).ConfigureAwait(false);
            verdict = true;
            _guard.Success();
            if (startedAt != 0)
            {
                RecordRedisDuration("SET", startedAt, null);
            }

            return true;
        }
        catch (Exception ex) when (IsRedisFailure(ex, cancellationToken))
        {
            verdict = true;
            if (startedAt != 0)
            {
                RecordRedisDuration("SET", startedAt, ex);
            }

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
    /// <returns>Whether the other instances were told (always true outside backplane mode, where Redis tells them).</returns>
    private async Task<bool> PublishOwnWriteAsync(string redisKey)
    {
        if (_memory.Mode != CacheCoherenceMode.Backplane)
        {
            return true;
        }

        try
        {
            await _memory.AfterOwnWriteAsync(redisKey).AsTask().WaitAsync(_redisTimeout, _time).ConfigureAwait(false);
            return true;
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException or InvalidOperationException)
        {
            RecordRedisFailure("PUBLISH", ex);
            return false;
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
