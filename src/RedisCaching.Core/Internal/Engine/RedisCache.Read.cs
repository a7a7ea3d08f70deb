using System;
using System.Buffers;
using System.Collections.Generic;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using RedisCaching.Internal.Envelope;
using RedisCaching.Internal.Memory;
using StackExchange.Redis;

namespace RedisCaching.Internal.Engine;

/// <summary>Reads: memory first, then Redis, decoding the envelope and filling memory under a fill ticket.</summary>
internal sealed partial class RedisCache
{
    public ValueTask<CacheResult<T>> TryGetAsync<T>(string key, CacheEntryOptions? options = null, CancellationToken cancellationToken = default)
    {
        // A key of the usual shape asks memory first and meets the key rules only if memory does not answer.
        var unvalidated = _keys.MayAskMemoryFirst(key);
        var memoryKey = unvalidated ? key : _keys.ToMemoryKey(key);
        var resolved = ResolveForRead(key, ref unvalidated, options);
        if (TryReadMemoryForHit<T>(memoryKey, resolved, out var stored, out var now))
        {
            if (stored.IsFreshAt(now))
            {
                _hotKeys.Read(key, Counters.MemoryHit());
                Telemetry.CacheInstruments.MemoryHitSpan(Name, RedisCachingTelemetry.TryGetActivityName);
                return new ValueTask<CacheResult<T>>(new CacheResult<T>(stored.Value, CacheTier.Memory));
            }

            if (stored.IsLazilyStaleAt(now))
            {
                _hotKeys.Read(key);
                return new ValueTask<CacheResult<T>>(LazilyStale(stored));
            }
        }

        return TryGetAfterMemoryAsync<T>(key, memoryKey, unvalidated, resolved, cancellationToken);
    }

    /// <summary>
    /// The options of a read that may not have checked its key yet. Options met for the first time can be refused;
    /// the key rules run first then, so a bad key is reported before bad options, as on every other call.
    /// </summary>
    private ResolvedEntryOptions ResolveForRead(string key, ref bool unvalidated, CacheEntryOptions? options) =>
        _resolver.TryGetResolved(options, out var resolved) ? resolved : ResolveAfterKeyRules(key, ref unvalidated, options);

    [MethodImpl(MethodImplOptions.NoInlining)]
    private ResolvedEntryOptions ResolveAfterKeyRules(string key, ref bool unvalidated, CacheEntryOptions? options)
    {
        MeetKeyRulesIfSkipped(key, unvalidated);
        unvalidated = false;
        return _resolver.Resolve(options);
    }

    /// <summary>
    /// A read memory did not answer (its value was not there, not fresh, or refused): the key rules if the read skipped
    /// them to ask memory first, then the hot-key sample every read not answered from memory takes.
    /// </summary>
    private void AfterMemoryMiss(string key, bool unvalidated)
    {
        MeetKeyRulesIfSkipped(key, unvalidated);
        _hotKeys.Read(key);
    }

    /// <summary>
    /// The key rules for a key that asked memory first (<see cref="Keys.CacheKeyBuilder.MayAskMemoryFirst"/>): they throw
    /// for a bad key, and for a good one its memory key is the key itself, so the result is not needed.
    /// </summary>
    private void MeetKeyRulesIfSkipped(string key, bool unvalidated)
    {
        if (unvalidated)
        {
            _keys.ToMemoryKey(key);
        }
    }

    /// <summary>
    /// A try-get memory did not answer: the key rules if they were skipped, then a value still being written, then
    /// Redis. Its own method, so the memory hit's frame stays small.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private ValueTask<CacheResult<T>> TryGetAfterMemoryAsync<T>(string key, string memoryKey, bool unvalidated, ResolvedEntryOptions resolved, CancellationToken cancellationToken)
    {
        AfterMemoryMiss(key, unvalidated);
        if (!resolved.Skips(CacheSkip.MemoryRead))
        {
            if (TryValueWrittenBehind<T>(memoryKey, out var writtenBehind))
            {
                return new ValueTask<CacheResult<T>>(writtenBehind);
            }
        }

        return Telemetry.CacheInstruments.Source.HasListeners()
            ? TracedTryGetAsync<T>(memoryKey, resolved, cancellationToken)
            : TryGetSlowAsync<T>(memoryKey, resolved, cancellationToken);
    }

    /// <summary>The try-get span, for reads memory did not answer (a memory hit gets one only when asked for, as for get-or-set).</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<CacheResult<T>> TracedTryGetAsync<T>(string memoryKey, ResolvedEntryOptions resolved, CancellationToken cancellationToken)
    {
        using var activity = Telemetry.CacheInstruments.StartSpan(Telemetry.CacheInstruments.Source, RedisCachingTelemetry.TryGetActivityName, Name);
        try
        {
            var result = await TryGetSlowAsync<T>(memoryKey, resolved, cancellationToken).ConfigureAwait(false);
            Telemetry.CacheInstruments.TagOutcome(activity, result.HasValue ? Telemetry.CacheInstruments.TierName(result.Tier) : "none", !result.HasValue ? "miss" : result.IsStale ? "stale" : "hit");
            return result;
        }
        catch (Exception ex)
        {
            Telemetry.CacheInstruments.TagFailure(activity, ex);
            throw;
        }
    }

    /// <summary>
    /// A try-get memory did not answer: <see cref="ReadAsync{T, TResult, TFinish}"/> itself, finishing with the try-get's
    /// result, so an L2 hit awaits through one pooled async layer (measured with 64 readers on 2 cores,
    /// benchmarks/README.md "L2 hit: second CPU pass").
    /// </summary>
    private ValueTask<CacheResult<T>> TryGetSlowAsync<T>(string memoryKey, ResolvedEntryOptions resolved, CancellationToken cancellationToken) =>
        ReadAsync<T, CacheResult<T>, AsTryGetResult<T>>(memoryKey, resolved, cancellationToken);

    /// <summary>What a try-get returns for what <see cref="ReadAsync{T, TResult, TFinish}"/> found.</summary>
    private CacheResult<T> ToTryGetResult<T>(in ReadOutcome<T> read, ResolvedEntryOptions resolved)
    {
        // The clock the read checked its entry with, when it had to read one (it returned right then).
        var now = read.CheckedAtUnixMs != 0 ? read.CheckedAtUnixMs : NowUnixMs;
        if (read.Value is { } value && value.IsFreshAt(now))
        {
            CountHit(value.Tier);
            return new CacheResult<T>(value.Value, value.Tier);
        }

        if (read.Value is { } marked && marked.IsLazilyStaleAt(now))
        {
            return LazilyStale(marked);
        }

        // Without a factory, a stale value is only worth returning when Redis could not be asked.
        if (read.RedisFailed && read.Value is { } stale && resolved.FailSafeEnabled && stale.IsUsableAt(now))
        {
            Counters.Stale(stale.Tier);
            return new CacheResult<T>(stale.Value, stale.Tier, isStale: true);
        }

        Counters.Miss();
        return default;
    }

    /// <summary>
    /// A lazily invalidated value for a read without a factory: returned flagged stale, counted as a miss followed by a
    /// stale result (as every stale result is); nothing refreshes it (only a get-or-set can).
    /// </summary>
    private CacheResult<T> LazilyStale<T>(StoredValue<T> stored)
    {
        Counters.Miss();
        Counters.Stale(stored.Tier);
        return new CacheResult<T>(stored.Value, stored.Tier, isStale: true);
    }

    private void CountHit(CacheTier tier)
    {
        if (tier == CacheTier.Memory)
        {
            Counters.MemoryHit();
        }
        else
        {
            Counters.RedisHit();
        }
    }

    /// <summary>
    /// The freshest value memory or Redis holds, fresh or not. When Redis answers, its answer wins (a key Redis no
    /// longer has is gone, even if memory still had it); when Redis fails, memory's copy is returned with
    /// <c>RedisFailed</c> set, for fail-safe. What get-or-set and the lock paths await.
    /// </summary>
    private ValueTask<ReadOutcome<T>> ReadAsync<T>(string memoryKey, ResolvedEntryOptions resolved, CancellationToken cancellationToken) =>
        ReadAsync<T, ReadOutcome<T>, AsReadOutcome<T>>(memoryKey, resolved, cancellationToken);

    /// <summary>
    /// The read behind <see cref="ReadAsync{T}"/> and a try-get, handing what it found to <typeparamref name="TFinish"/>
    /// before it returns: one pooled async layer for both callers instead of a second one around it for the try-get.
    /// </summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<TResult> ReadAsync<T, TResult, TFinish>(string memoryKey, ResolvedEntryOptions resolved, CancellationToken cancellationToken)
        where TFinish : IReadFinish<T, TResult>
    {
        StoredValue<T>? fromMemory = null;
        if (!resolved.Skips(CacheSkip.MemoryRead))
        {
            var now = NowUnixMs;
            if (TryReadMemory<T>(memoryKey, resolved, now, Environment.TickCount64, out var inMemory))
            {
                if (inMemory.IsFreshAt(now))
                {
                    return TFinish.Finish(this, new ReadOutcome<T>(inMemory, false), resolved);
                }

                fromMemory = inMemory;
            }
            else if (!_memory.IsLeaseHeld && TryReadMemory<T>(memoryKey, resolved, now, Environment.TickCount64, out var unconfirmed, confirmed: false))
            {
                // Past the staleness bound: not a hit, but still the fail-safe fallback should Redis not answer.
                fromMemory = unconfirmed.ExpiredAt(now);
            }
        }

        if (resolved.Skips(CacheSkip.RedisRead))
        {
            return TFinish.Finish(this, new ReadOutcome<T>(fromMemory, false), resolved);
        }

        // No ticket when this read cannot fill memory (it skips the memory write, or the tier is off): nothing to void.
        FillTicket? ticket = resolved.Skips(CacheSkip.MemoryWrite) || _memory.Mode is CacheCoherenceMode.Disabled ? null : _memory.BeginFill(memoryKey);

        // Without generations the Redis key carries the fixed prefix as bytes: no key string is built per read.
        RedisKey key;
        if (!_keys.UsesGenerations)
        {
            key = _keys.QualifiedKey(memoryKey);
        }
        else if (await EntryKeyAsync(memoryKey, create: false, cancellationToken).ConfigureAwait(false) is { } redisKey)
        {
            key = redisKey;
        }
        else
        {
            return TFinish.Finish(this, new ReadOutcome<T>(fromMemory, true), resolved);
        }

        // CallRedisAsync inlined (the breaker, the budget, the failure policy through the same helpers): one async
        // layer less per read, measured with 64 readers on 2 cores (benchmarks/README.md, 2026-11-27).
        var guard = GuardFor(key);
        if (!TryEnterRedis(guard))
        {
            return TFinish.Finish(this, new ReadOutcome<T>(fromMemory, true), resolved);
        }

        Lease<byte>? lease;
        var verdict = false;
        var startedAt = RedisCallStarted();
        var coalescer = CoalescerFor();
        var separately = true;

        // A read that may fill memory asks for the key's TTL too (see RedisExpiryBound), sent with its GET when it goes alone.
        var askedTtlAt = ticket is null ? 0 : NowUnixMs;
        Task<TimeSpan?>? timeToLive = null;
        IDatabaseAsync? readOn = null;
        try
        {
            lease = await StartRedisRead(coalescer, key, askedTtlAt != 0, cancellationToken, out separately, out timeToLive, out readOn).ConfigureAwait(false);
            verdict = true;
            RedisCallSucceeded(separately ? "GET" : "MGET", guard, startedAt);
        }
        catch (Exception ex) when (IsRedisFailure(ex, cancellationToken))
        {
            verdict = true;
            RedisCallFailed(separately ? "GET" : "MGET", guard, startedAt, ex);
            TaskFailures.Observe(timeToLive);
            return TFinish.Finish(this, new ReadOutcome<T>(fromMemory, true), resolved);
        }
        finally
        {
            if (!verdict)
            {
                guard.Abandon();
                TaskFailures.Observe(timeToLive);
            }
        }

        if (lease is null)
        {
            TaskFailures.Observe(timeToLive);
            return TFinish.Finish(this, new ReadOutcome<T>(null, false) { KeyAbsent = true }, resolved);
        }

        // Sent before the GET on the same connection, so answered before it (completed a little later now and then:
        // awaited then, see TimeToLiveAnsweredAsync). A read that went in an MGET asks only
        // once it knows it will fill memory, and fills it when that answers (RedisCache.ReadTtl); one made while
        // connecting does not fill memory.
        var bound = askedTtlAt == 0 ? RedisExpiryBound.Unknown
            : timeToLive is { IsCompleted: true } ? RedisExpiryBound.Of(timeToLive, askedTtlAt)
            : timeToLive is not null ? await TimeToLiveAnsweredAsync(timeToLive, askedTtlAt).ConfigureAwait(false)
            : readOn is not null ? RedisExpiryBound.ToAsk(readOn, key, askedTtlAt)
            : RedisExpiryBound.Unknown;

        // Completed at once unless the entry has tags whose tokens memory lacks.
        var entry = ReadEntry<T>(memoryKey, ticket, lease, resolved, key, bound, cancellationToken);
        return TFinish.Finish(this, entry.IsCompletedSuccessfully ? entry.Result : await entry.ConfigureAwait(false), resolved);
    }

    /// <summary>
    /// Starts the read of <paramref name="key"/> within the budget: a GET of its own while the connection has room
    /// (counted in the coalescer's lane until the GET completes), otherwise coalesced with other reads in one <c>MGET</c>
    /// (<paramref name="separately"/> false). When the connection is not up, the connect is inside the budget as for
    /// any call, and the read goes alone. With <paramref name="asksTtl"/>, a GET of its own is preceded by a
    /// <c>PTTL</c> of the key (<paramref name="timeToLive"/>); a coalesced read asks later on <paramref name="readOn"/>
    /// (see <see cref="RedisExpiryBound.ToAsk"/>), and one made while connecting does not fill memory.
    /// </summary>
    private ValueTask<Lease<byte>?> StartRedisRead(ReadCoalescer? coalescer, RedisKey key, bool asksTtl, CancellationToken cancellationToken, out bool separately, out Task<TimeSpan?>? timeToLive, out IDatabaseAsync? readOn)
    {
        separately = true;
        timeToLive = null;
        readOn = null;
        var connecting = _connection.GetMultiplexerAsync(cancellationToken);
        if (!connecting.IsCompletedSuccessfully)
        {
            return RunAfterConnectAsync(connecting, key, static (db, key) => db.StringGetLeaseAsync(key), _redisTimeout, cancellationToken);
        }

        var multiplexer = connecting.Result;
        ReadCoalescer.Lane? lane = null;
        if (coalescer is null || coalescer.TryReadSeparately(multiplexer, out lane))
        {
            Task<Lease<byte>?> get;
            try
            {
                var database = multiplexer.GetDatabase();

                // Before the GET on the same connection: its answer is in when the GET's is (one slot in the lane for both).
                timeToLive = asksTtl ? database.KeyTimeToLiveAsync(key) : null;
                get = database.StringGetLeaseAsync(key);
            }
            catch
            {
                // Never sent: its slot is free at once.
                if (lane is not null)
                {
                    coalescer!.SeparateReadDone(lane);
                }

                throw;
            }

            return BudgetedCall<Lease<byte>?>.WaitAsync(get, _redisTimeout, _time, cancellationToken, lane);
        }

        separately = false;
        readOn = multiplexer.GetDatabase();
        return coalescer.GetAsync(lane!, readOn, key, _redisTimeout, _time, cancellationToken);
    }

    /// <summary>The coalescer for this read: none when coalescing is off, or on a cluster (an <c>MGET</c> across slots is refused there).</summary>
    private ReadCoalescer? CoalescerFor() => _connection is RedisConnection { IsCluster: true } ? null : _coalescer;

    /// <summary>
    /// After a Redis read of a usable entry: fills memory under the read's ticket (unless there is none, the options skip
    /// it, a write of ours to the key is in doubt, or the key's TTL is not known), for no longer than the key lives in
    /// Redis (<paramref name="bound"/>; once its <c>PTTL</c> answers, when that is still to come). A sliding entry is filled only once Redis extended it (see RedisCache.Sliding).
    /// </summary>
    private void FillAfterRead<T>(string memoryKey, FillTicket? ticket, in Decoded<T> decoded, ResolvedEntryOptions resolved, RedisExpiryBound bound)
    {
        var fillMemory = ticket is not null && !resolved.Skips(CacheSkip.MemoryWrite) && !IsInDoubt(memoryKey) && _memory.Mode is not CacheCoherenceMode.Disabled;
        if (decoded.SlidingMs > 0)
        {
            // The extension sets the key's TTL itself (a TTL set from outside before it is replaced, one after it invalidates).
            StartTouch(memoryKey, ToMemoryEntry(decoded), fillMemory ? ticket : null);
        }
        else if (fillMemory && bound.IsKnown)
        {
            // Bounded before the entry is built (not with MemoryEntry.EndingBy, which copies it): the bound is usually
            // a millisecond or so before our own entries' expiry, so a copy would be made on most fills.
            var stored = decoded.Stored;
            var bounded = decoded with { Stored = stored with { LogicalExpiresAtUnixMs = bound.Cap(stored.LogicalExpiresAtUnixMs), HardExpiresAtUnixMs = bound.Cap(stored.HardExpiresAtUnixMs) } };
            _memory.CompleteFill(memoryKey, ticket!.Value, ToMemoryEntry(bounded));
        }
        else if (fillMemory && bound.AnswerToAwait() is { } answer)
        {
            // The entry is built now (its bytes are the read's, returned to their pool when the read ends).
            _ = FillWhenAnsweredAsync(memoryKey, ticket!.Value, ToMemoryEntry(decoded), answer, bound.AskedAtUnixMs);
        }
    }

    /// <summary>
    /// Decodes a stored entry; anything unreadable is a counted miss (null), never an exception. An entry written in
    /// another format than the reader's, or encrypted when the reader does not expect it (or the other way round), is
    /// unreadable too: a reader never guesses, and a profile that encrypts never accepts plain bytes someone else wrote.
    /// The caller disposes the result's <c>Owner</c>. Returned through an out parameter, not as a nullable: the struct
    /// is large, and every copy of it into a state machine is a copy with write barriers.
    /// </summary>
    private bool TryDecode<T>(ReadOnlyMemory<byte> data, ResolvedEntryOptions resolved, in RedisKey redisKey, out Decoded<T> decoded)
    {
        decoded = default;
        var status = EnvelopeFormat.TryRead(data.Span, out var header, out var payloadOffset);
        if (status != EnvelopeReadStatus.Ok)
        {
            return Unreadable(status.ToString());
        }

        var format = _formats.Get<T>(resolved.SerializerName);
        if (header.SerializerId != format.SerializerId)
        {
            return Unreadable("written in another format");
        }

        // Entries without a fingerprint (older ones, other programs') are read as before; raw bytes check none.
        if (header.TypeFingerprint != 0 && format.TypeFingerprint != 0 && header.TypeFingerprint != format.TypeFingerprint)
        {
            return Unreadable("written for another value type");
        }

        if ((header.EncryptionKeyId != 0) != format.Encrypts(resolved.Encrypt))
        {
            return Unreadable(header.EncryptionKeyId != 0 ? "encrypted, and this read does not expect encryption" : "not encrypted, and this read expects encryption");
        }

        TagStamps? tags = null;
        if (header.Tags is { Count: > 0 } names && (tags = ToTagStamps(names, header.TagTokens)) is null)
        {
            return Unreadable("tags that cannot be checked");
        }

        if (OpenPayload(header, data, payloadOffset, in redisKey, out var payload, out var owner) is { } reason)
        {
            return Unreadable(reason);
        }

        try
        {
            var value = format.Serializer.Deserialize(new ReadOnlySequence<byte>(payload));
            var logical = header.LogicalExpiresAtUnixMs;
            var hard = header.HardExpiresAtUnixMs;
            if (header.SlidingMs > 0)
            {
                // Fresh while Redis holds it (the TTL is the window); from here on, for one more window at most.
                logical = hard = NowUnixMs + Math.Max(0, SlidingWindow(header.SlidingMs, header.LogicalExpiresAtUnixMs, NowUnixMs));
            }

            var stored = new StoredValue<T>(value, CacheTier.Redis, header.CreatedAtUnixMs, logical, hard);
            // An encrypted entry that got this far was authenticated with our key (OpenPayload decrypted it).
            decoded = new Decoded<T>(stored, payload, owner, format.Serializer, tags, header.SlidingMs, header.LogicalExpiresAtUnixMs, format.TypeFingerprint, header.EncryptionKeyId != 0);
            return true;
        }
        catch (Exception ex) when (IsPayloadMismatch(ex))
        {
            owner?.Dispose();
            return Unreadable("payload does not match the type");
        }
    }

    /// <summary>
    /// What a serializer throws for bytes that are not what the type expects (a type change, foreign bytes): JSON's
    /// JsonException, NotSupported (e.g. an abstract type without a discriminator), and what other formats throw
    /// (MessagePack's own exception type, format and range errors). Not cancellation or out-of-memory.
    /// </summary>
    private static bool IsPayloadMismatch(Exception ex) => ex is not (OperationCanceledException or OutOfMemoryException or InsufficientExecutionStackException);

    /// <summary>The tags of a stored entry as stamps to check; null when they cannot be checked (version 1, or a tag our rules reject).</summary>
    private TagStamps? ToTagStamps(IReadOnlyList<string> names, IReadOnlyList<long>? tokens)
    {
        if (tokens is null)
        {
            return null;
        }

        var keys = new string[names.Count];
        try
        {
            for (var i = 0; i < keys.Length; i++)
            {
                keys[i] = _keys.ToTagKey(names[i]);
            }
        }
        catch (CacheKeyException)
        {
            return null;
        }

        return new TagStamps(keys, [.. tokens]);
    }

    private bool Unreadable(string reason)
    {
        Counters.Unreadable();
        Log.UnreadableEntry(_logger, reason);
        return false;
    }

    /// <summary>
    /// The memory read a try-get or get-or-set hit starts with (unless the call skips memory), at the hit clock's time,
    /// returned in <paramref name="now"/>. The hit clock may run ahead, never behind: a hit it accepts is fresh; the
    /// rest take the exact path. Inlined into both callers, so each hit stays one frame.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private bool TryReadMemoryForHit<T>(string memoryKey, ResolvedEntryOptions resolved, out StoredValue<T> stored, out long now)
    {
        if (resolved.Skips(CacheSkip.MemoryRead))
        {
            stored = default;
            now = 0;
            return false;
        }

        var tick = Environment.TickCount64;
        now = _hitClock.NotBehindUnixMs(tick);
        return TryReadMemory(memoryKey, resolved, now, tick, out stored);
    }

    // tickCount: Environment.TickCount64 read just before, for the staleness lease (a hit reads the tick once).
    private bool TryReadMemory<T>(string memoryKey, ResolvedEntryOptions resolved, long nowUnixMs, long tickCount, out StoredValue<T> stored, bool confirmed = true)
    {
        stored = default;
        if (!(confirmed ? _memory.TryGet(memoryKey, nowUnixMs, tickCount, out var entry) : _memory.TryGetUnconfirmed(memoryKey, nowUnixMs, out entry)))
        {
            return false;
        }

        // Stored as this very type's instance: every type check below would pass (the fingerprint is this type's or
        // none, the value is a T). For a reference type the instance is then taken as it is, without a cast helper.
        var exactInstance = !typeof(T).IsValueType && entry.ExactInstance && entry.Value!.GetType() == typeof(T);

        // Written for another value type: a miss, as Decode says for Redis (raw bytes record no type; the serializer
        // check below decides for them).
        if (!exactInstance && entry.TypeFingerprint != 0 && entry.TypeFingerprint != TypeFingerprint<T>.Value)
        {
            return false;
        }

        // A read that expects encryption takes only what was authenticated; the rest it leaves to Redis, which refuses
        // a plain entry there (a counted miss). Checked only for unauthenticated entries in an app that can encrypt.
        if (!entry.Authenticated && _codecs.Encryptor is not null && ExpectsEncryption<T>(resolved))
        {
            return false;
        }

        // A tagged entry whose tag was removed (or whose token L1 lacks) is not served from here; the Redis read
        // that follows settles it. One whose tag was lazily invalidated is returned marked.
        var marked = false;
        if (entry.Tags is { } tags)
        {
            var check = CheckTagsInMemory(tags, nowUnixMs, inSameRead: true);
            if (check is TagCheck.Invalid or TagCheck.Unknown)
            {
                return false;
            }

            marked = check == TagCheck.Stale;
        }

        T value;
        if (exactInstance)
        {
            var instance = entry.Value;
            value = Unsafe.As<object?, T>(ref instance);
        }
        else if (!TryTakeValue(entry.Value, out value))
        {
            return false;
        }

        stored = new StoredValue<T>(value, CacheTier.Memory, entry.CreatedAtUnixMs, entry.LogicalExpiresAtUnixMs, entry.HardExpiresAtUnixMs) { Marked = marked };
        if (entry.SlidingMs > 0)
        {
            TouchIfDue(memoryKey, entry, nowUnixMs);
        }

        return true;
    }

    /// <summary>The <typeparamref name="T"/> a memory entry's value holds: the instance, or its bytes deserialized; false for another type's.</summary>
    private static bool TryTakeValue<T>(object? held, out T value)
    {
        value = default!;
        switch (held)
        {
            case SerializedPayload { Serializer: ICacheSerializer<T> serializer } payload:
                try
                {
                    value = serializer.Deserialize(new ReadOnlySequence<byte>(payload.Bytes));
                    return true;
                }
                catch (Exception ex) when (IsPayloadMismatch(ex))
                {
                    return false;
                }

            case SerializedPayload:
                // Written for another value type under this key: a miss, as Decode says for Redis.
                return false;
            case T typed:
                value = typed;
                return true;
            case null when default(T) is null:
                return true;
            default:
                // Another type was cached under this key: not ours to return.
                return false;
        }
    }

    /// <summary>Whether a read of <typeparamref name="T"/> with these options expects an encrypted entry (as <c>EntryFormat.Encrypts</c> says).</summary>
    private bool ExpectsEncryption<T>(ResolvedEntryOptions resolved) => resolved.Encrypt || _codecs.TypeEncrypts(typeof(T));

    /// <summary>Immutable values are kept as the instance (a hit allocates nothing); mutable ones as bytes, copied per hit.</summary>
    private static MemoryEntry ToMemoryEntry<T>(Decoded<T> decoded) =>
        ToMemoryEntry(decoded.Stored, decoded.Payload.Span, decoded.Serializer, decoded.Tags, decoded.SlidingMs, decoded.SlidingCapUnixMs, decoded.TypeFingerprint, decoded.Authenticated);

    private static MemoryEntry ToMemoryEntry<T>(StoredValue<T> stored, ReadOnlySpan<byte> payload, ICacheSerializer<T> serializer, TagStamps? tags, long slidingMs, long slidingCapUnixMs, uint typeFingerprint, bool authenticated, long touchedAtUnixMs = 0, bool localOnly = false)
    {
        object? value = ImmutableTypes<T>.IsImmutable ? stored.Value : new SerializedPayload(payload.ToArray(), serializer);
        return new MemoryEntry(
            value,
            payload.Length + 64,
            DateTimeOffset.FromUnixTimeMilliseconds(stored.HardExpiresAtUnixMs),
            DateTimeOffset.FromUnixTimeMilliseconds(stored.LogicalExpiresAtUnixMs))
        {
            CreatedAt = DateTimeOffset.FromUnixTimeMilliseconds(stored.CreatedAtUnixMs),
            Tags = tags,
            SlidingMs = slidingMs,
            SlidingCapUnixMs = slidingCapUnixMs,
            TouchedAtUnixMs = touchedAtUnixMs,
            Authenticated = authenticated,
            TypeFingerprint = typeFingerprint,
            ExactInstance = ImmutableTypes<T>.IsImmutable && value is not null && value.GetType() == typeof(T),
            LocalOnly = localOnly,
        };
    }

    /// <summary>What <see cref="ReadAsync{T}"/> found; <c>CheckedAtUnixMs</c>: the clock it checked a Redis entry with when it returned right after (0 otherwise), so the caller need not read it again.</summary>
    private readonly record struct ReadOutcome<T>(StoredValue<T>? Value, bool RedisFailed)
    {
        public long CheckedAtUnixMs { get; init; }

        /// <summary>Redis answered that the key does not exist (not: it holds an entry this read could not use).</summary>
        public bool KeyAbsent { get; init; }

        /// <summary>
        /// A copy of the bytes Redis held when this read could not decode them (foreign, corrupt, another format): a
        /// get-or-set's fill replaces exactly these bytes.
        /// </summary>
        public byte[]? Held { get; init; }

        /// <summary>The creation time in the header of the entry Redis held (0 when none was decoded): a fill replaces only that entry.</summary>
        public long HeldCreatedAtUnixMs { get; init; }
    }

    /// <summary>
    /// A decoded entry; for a sliding one, <c>Stored</c>'s expiries are one window from now. <c>Payload</c> is the
    /// serialized bytes (what memory keeps), in <c>Owner</c> when decryption or decompression produced them (the
    /// reader disposes it once memory has its copy), else in the bytes Redis returned. <c>TypeFingerprint</c>: the
    /// reader's type's (what memory records). <c>Authenticated</c>: it was encrypted and decrypted with our key.
    /// </summary>
    private readonly record struct Decoded<T>(StoredValue<T> Stored, ReadOnlyMemory<byte> Payload, PooledBufferWriter? Owner, ICacheSerializer<T> Serializer, TagStamps? Tags, long SlidingMs, long SlidingCapUnixMs, uint TypeFingerprint, bool Authenticated);
}
