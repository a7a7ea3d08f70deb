using System;
using System.Buffers;
using System.Collections.Generic;
using System.Security.Cryptography;
using System.Threading;
using System.Threading.Tasks;
using RedisCaching.Internal.Codecs;
using RedisCaching.Internal.Envelope;
using RedisCaching.Internal.Memory;
using StackExchange.Redis;

namespace RedisCaching.Internal.Engine;

/// <summary>
/// The store path of every write (set, set-many, get-or-set after its factory). Everything up to the SET runs
/// synchronously on the caller's thread, in a reused writer object; the wait for Redis and what follows it are one
/// pooled <see cref="PendingWrite"/> (an async method only while connecting or to publish on the backplane). A write
/// used to await through two async methods, the outer one a <see cref="Task"/> with every local of the envelope stage
/// in its box: ~600 B per write with many in flight (benchmarks/README.md, "Issue 10's target").
/// </summary>
internal sealed partial class RedisCache
{
    /// <param name="memoryKey">The entry's memory key.</param>
    /// <param name="value">The value.</param>
    /// <param name="resolved">The entry's options.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <param name="tagTokens">
    /// The tags' tokens when the caller read them earlier (get-or-set reads them before the factory runs, so a
    /// remove-by-tag during the factory invalidates what it returns); read here when null.
    /// </param>
    /// <param name="condition">When the SET may land (<see cref="WriteCondition"/>): a fill's is set by what its read found.</param>
    private ValueTask StoreAsync<T>(string memoryKey, T value, in ResolvedEntryOptions resolved, CancellationToken cancellationToken, long[]? tagTokens = null, WriteCondition condition = default)
    {
        if ((resolved.TagKeys is not null && tagTokens is null) || _keys.UsesGenerations)
        {
            return StoreAfterLookupsAsync(memoryKey, value, resolved, tagTokens, condition, cancellationToken);
        }

        try
        {
            // Taken before the write: an invalidation from another client after this point means our value may
            // already be older than Redis's, and must not land in memory.
            var ticket = _memory.BeginFill(memoryKey);
            return StoreNow(memoryKey, _keys.QualifiedKey(memoryKey), ticket, value, resolved, tagTokens, condition, cancellationToken);
        }
        catch (Exception ex)
        {
            // As from an async method: a failure before the SET (serializer, compressor, encryptor) faults the task.
            return ValueTask.FromException(ex);
        }
    }

    /// <summary>The store path when the tags' tokens or the key space's generation may have to be read from Redis first.</summary>
    private async ValueTask StoreAfterLookupsAsync<T>(string memoryKey, T value, ResolvedEntryOptions resolved, long[]? tagTokens, WriteCondition condition, CancellationToken cancellationToken)
    {
        if (resolved.TagKeys is { } tagKeys && tagTokens is null)
        {
            tagTokens = await CurrentTokensAsync(tagKeys, create: true, cancellationToken).ConfigureAwait(false);
            if (tagTokens is null)
            {
                // Without the tokens the entry could not be removed by its tags later: it is not cached at all.
                return;
            }
        }

        // Taken before the key is built: a new key space generation (which empties memory) after this point voids it,
        // so a value written under the old generation never reaches memory.
        var ticket = _memory.BeginFill(memoryKey);
        if (await EntryKeyAsync(memoryKey, create: !resolved.Skips(CacheSkip.RedisWrite), cancellationToken).ConfigureAwait(false) is not { } redisKey)
        {
            // Without the generation there is no key to write under: not cached at all, as without tag tokens.
            return;
        }

        await StoreNow(memoryKey, redisKey, ticket, value, resolved, tagTokens, condition, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Builds the envelope and the memory entry and starts the write.</summary>
    private ValueTask StoreNow<T>(string memoryKey, RedisKey redisKey, FillTicket ticket, T value, in ResolvedEntryOptions resolved, long[]? tagTokens, WriteCondition condition, CancellationToken cancellationToken)
    {
        var stamps = resolved.TagKeys is { } tagKeys ? new TagStamps(tagKeys, tagTokens!) : null;
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
        var header = new EnvelopeHeader(format.SerializerId, 0, keyId, now, logicalExpiry, hardExpiry, resolved.Tags) { TagTokens = tagTokens, SlidingMs = slidingMs, TypeFingerprint = format.TypeFingerprint };
        var compressor = format.CompressorFor(resolved.Compressor);
        var buffer = RentEntryWriter(EntryBufferSize(format.LastEntryLength));
        PooledBufferWriter? scratch = null;
        try
        {
            ReadOnlyMemory<byte> serialized;
            try
            {
                serialized = WriteEntry(value, format, compressor, header, redisKey, buffer, out scratch);
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
                serialized = WriteEntry(value, format, compressor, header with { EncryptionKeyId = keyId }, redisKey, buffer, out scratch);
            }

            format.LastEntryLength = buffer.WrittenCount;
            if (Telemetry.CacheInstruments.SerializedSize.Enabled)
            {
                Telemetry.CacheInstruments.SerializedSize.Record(buffer.WrittenCount, new KeyValuePair<string, object?>(RedisCachingTelemetry.CacheNameTag, Name));
            }

            var memoryExpiry = now + ttl;
            var localOnly = resolved.Skips(CacheSkip.RedisWrite);
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
                    localOnly: localOnly);
            scratch?.Dispose();
            scratch = null;

            if (localOnly)
            {
                _memory.CompleteOwnWrite(memoryKey, ticket, entry);
                Counters.Set();
                return default;
            }

            buffer.Detach(out var bytes, out var length);
            return WriteNow(memoryKey, redisKey, bytes, length, entry, ticket, TimeSpan.FromMilliseconds(ttl), condition, cancellationToken);
        }
        finally
        {
            scratch?.Dispose();
            ReturnEntryWriter(buffer);
        }
    }

    /// <summary>The header, then the payload (serialized, compressed, encrypted as the format says) into the entry writer.</summary>
    private ReadOnlyMemory<byte> WriteEntry<T>(T value, EntryFormat<T> format, ICacheCompressor? compressor, EnvelopeHeader header, RedisKey redisKey, PooledBufferWriter buffer, out PooledBufferWriter? scratch)
    {
        EnvelopeFormat.WriteHeader(buffer, header);

        // Encryption binds the entry to its Redis key; nothing else reads it, so a plain write builds no key string.
        var keyString = header.EncryptionKeyId == 0 ? string.Empty : (string)redisKey!;
        return WritePayload(value, format, compressor, header.EncryptionKeyId, keyString, buffer, out scratch);
    }

    /// <summary>
    /// This thread's entry writer (the object only: its memory is rented per entry and detached for the write), taken
    /// out while in use, so a serializer that writes to the cache itself gets its own.
    /// </summary>
    [ThreadStatic]
    private static PooledBufferWriter? t_entryWriter;

    private static PooledBufferWriter RentEntryWriter(int size)
    {
        var writer = t_entryWriter;
        if (writer is null)
        {
            return new PooledBufferWriter(size);
        }

        t_entryWriter = null;
        writer.Reset(size);
        return writer;
    }

    /// <summary>Returns what the writer still holds (nothing once detached for a write) and keeps the object.</summary>
    private static void ReturnEntryWriter(PooledBufferWriter writer)
    {
        writer.Dispose();
        t_entryWriter = writer;
    }

    /// <summary>
    /// The pooled buffer for an entry: the last entry's size plus room for the serializer's first request
    /// (System.Text.Json asks for at least 256 B free), up to 1 MiB; a bigger entry grows the buffer as before.
    /// </summary>
    private static int EntryBufferSize(int lastEntryLength) => Math.Min(lastEntryLength, MaxBufferHint) + 256;

    private const int MaxBufferHint = 1024 * 1024;

    private ushort ActiveEncryptionKeyId() => _codecs.Encryptor!.ActiveKeyId is > 0 and var id
        ? id
        : throw new InvalidOperationException("The ICacheEncryptor's ActiveKeyId is 0, which means 'not encrypted'; key ids start at 1.");
}
