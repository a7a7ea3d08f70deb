using System;
using System.Threading;
using System.Threading.Tasks;

namespace RedisCaching.Internal.Engine;

/// <summary>Get-or-set: one flight per key and type, eager refresh, factory timeouts and fail-safe.</summary>
internal sealed partial class RedisCache
{
    public ValueTask<CacheResult<T>> GetOrSetAsync<TState, T>(
        string key,
        TState state,
        Func<TState, CacheFactoryContext, CancellationToken, ValueTask<T>> factory,
        CacheEntryOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(factory);

        // A key of the usual shape asks memory first and meets the key rules only if memory does not answer.
        var unvalidated = _keys.MayAskMemoryFirst(key);
        var memoryKey = unvalidated ? key : _keys.ToMemoryKey(key);
        var resolved = ResolveForRead(key, ref unvalidated, options);

        // What only a refresh needs (the state, the factory, a request) goes to a helper only when eager refresh is on or
        // the entry is lazily stale: the plain fresh hit stays as small as try-get's.
        if (TryReadMemoryForHit<T>(memoryKey, resolved, out var stored, out var now))
        {
            if (stored.IsFreshAt(now))
            {
                _hotKeys.Read(key, Counters.MemoryHit());
                if (resolved.EagerRefreshThreshold > 0f && IsPastRefreshPoint(stored, resolved, now))
                {
                    StartRefreshFromHit(key, memoryKey, state, factory, options, resolved, stored.CreatedAtUnixMs);
                }

                // No span for a memory hit unless asked for (its own source): a span costs an Activity (~600 B) and
                // several times the ~100 ns of the hit, and the hit is already counted in rediscaching.cache.requests.
                Telemetry.CacheInstruments.MemoryHitSpan(Name, RedisCachingTelemetry.GetOrSetActivityName);
                return new ValueTask<CacheResult<T>>(new CacheResult<T>(stored.Value, CacheTier.Memory));
            }

            if (stored.IsLazilyStaleAt(now))
            {
                // Lazily invalidated: the old value at once, flagged stale, and one background refresh (as eager refresh).
                // Checked first so the hits that arrive while it runs (or is throttled) allocate no request.
                if (!_refreshing.ContainsKey(memoryKey) && !IsFactoryThrottled(memoryKey))
                {
                    StartRefreshFromHit(key, memoryKey, state, factory, options, resolved, stored.CreatedAtUnixMs);
                }

                _hotKeys.Read(key);
                Telemetry.CacheInstruments.MemoryHitSpan(Name, RedisCachingTelemetry.GetOrSetActivityName);
                return new ValueTask<CacheResult<T>>(LazilyStale(stored));
            }
        }

        return GetOrSetAfterMemoryAsync(key, memoryKey, unvalidated, state, factory, options, resolved, cancellationToken);
    }

    /// <summary>
    /// A get-or-set memory did not answer: the key rules if they were skipped, then the flight. Its own method, so the
    /// memory hit's frame stays small.
    /// </summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private ValueTask<CacheResult<T>> GetOrSetAfterMemoryAsync<TState, T>(
        string key,
        string memoryKey,
        bool unvalidated,
        TState state,
        Func<TState, CacheFactoryContext, CancellationToken, ValueTask<T>> factory,
        CacheEntryOptions? options,
        ResolvedEntryOptions resolved,
        CancellationToken cancellationToken)
    {
        AfterMemoryMiss(key, unvalidated);
        var request = new FlightRequest<TState, T>(key, memoryKey, state, factory, options, resolved, RefreshOnly: false);

        // Traced only when a listener is there.
        return Telemetry.CacheInstruments.Source.HasListeners()
            ? TracedFlightAsync(request, cancellationToken)
            : WaitForFlightAsync(JoinFlight(request), cancellationToken);
    }

    // Pooled like the untraced read path's state machines: a traced call that waits would otherwise allocate its box
    // on top of the span's Activity.
    [System.Runtime.CompilerServices.AsyncMethodBuilder(typeof(System.Runtime.CompilerServices.PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<CacheResult<T>> TracedFlightAsync<TState, T>(FlightRequest<TState, T> request, CancellationToken cancellationToken)
    {
        // An async method: the span is Activity.Current when the flight starts (so the factory's span is its child),
        // and the caller's Activity.Current is back to its own when this returns.
        using var activity = Telemetry.CacheInstruments.StartSpan(Telemetry.CacheInstruments.Source, RedisCachingTelemetry.GetOrSetActivityName, Name);
        try
        {
            var result = await WaitForFlightAsync(JoinFlight(request), cancellationToken).ConfigureAwait(false);
            Telemetry.CacheInstruments.TagOutcome(activity, Telemetry.CacheInstruments.TierName(result.Tier), result.IsStale ? "stale" : result.Tier == CacheTier.Factory ? "miss" : "hit");
            return result;
        }
        catch (Exception ex)
        {
            Telemetry.CacheInstruments.TagFailure(activity, ex);
            throw;
        }
    }

    /// <summary>A background refresh started by a memory hit (eager refresh, a lazily stale entry).</summary>
    /// <remarks>Not inlined: the request and its arguments would otherwise widen the frame of every hit.</remarks>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private void StartRefreshFromHit<TState, T>(
        string key,
        string memoryKey,
        TState state,
        Func<TState, CacheFactoryContext, CancellationToken, ValueTask<T>> factory,
        CacheEntryOptions? options,
        ResolvedEntryOptions resolved,
        long entryCreatedAtUnixMs) =>
        StartRefresh(new FlightRequest<TState, T>(key, memoryKey, state, factory, options, resolved, RefreshOnly: true), entryCreatedAtUnixMs);

    private static ValueTask<CacheResult<T>> WaitForFlightAsync<T>(Task<CacheResult<T>> flight, CancellationToken cancellationToken)
    {
        if (!cancellationToken.CanBeCanceled || flight.IsCompleted)
        {
            // Nothing to race: the flight itself, without an async layer (its box) around it. After an invalidation every
            // reader of a hot key waits on the flight that re-reads it (benchmarks/README.md, "Zipf profile").
            return new ValueTask<CacheResult<T>>(flight);
        }

        // This caller may stop waiting; a failure of the flight must not go unobserved then.
        TaskFailures.Observe(flight);
        return new ValueTask<CacheResult<T>>(flight.WaitAsync(cancellationToken));
    }

    private static bool IsPastRefreshPoint<T>(StoredValue<T> stored, ResolvedEntryOptions resolved, long now)
    {
        if (resolved.EagerRefreshThreshold <= 0f)
        {
            return false;
        }

        var life = stored.LogicalExpiresAtUnixMs - stored.CreatedAtUnixMs;
        return life > 0 && now - stored.CreatedAtUnixMs >= life * resolved.EagerRefreshThreshold;
    }

    /// <summary>
    /// Joins the flight for the key (and value type) or starts it. The flight runs on its own, not on any caller's
    /// cancellation token: a caller that gives up does not cancel the work the others wait for.
    /// </summary>
    private Task<CacheResult<T>> JoinFlight<TState, T>(FlightRequest<TState, T> request, bool mayReplace = true)
    {
        var flightKey = new FlightKey(request.MemoryKey, typeof(T), request.RefreshOnly);
        if (_flights.TryGetValue(flightKey, out var running))
        {
            return JoinRunning(flightKey, (Flight<T>)running, request, mayReplace);
        }

        var completion = new Flight<T>(_time.GetTimestamp());
        var winner = _flights.GetOrAdd(flightKey, completion);
        if (!ReferenceEquals(winner, completion))
        {
            return JoinRunning(flightKey, (Flight<T>)winner, request, mayReplace);
        }

        // The caller that started the flight awaits the flight itself: its continuation runs as soon as the work ends,
        // without the thread-pool hop the completion source imposes on the callers that joined.
        return RunFlightAsync(flightKey, completion, request);
    }

    /// <summary>Runs the flight, hands its outcome to the callers that joined, and returns it (or throws it) to the caller that started it.</summary>
    private async Task<CacheResult<T>> RunFlightAsync<TState, T>(FlightKey flightKey, Flight<T> completion, FlightRequest<TState, T> request)
    {
        long? refreshEntryCreatedAt = null;
        var writingBehind = false;
        CacheResult<T> outcome;
        try
        {
            if (request.RefreshOnly)
            {
                // A refresh starts from a hit, which must return at once: the factory runs on the thread pool, not
                // on the hit's thread until its first await.
                await Task.CompletedTask.ConfigureAwait(ConfigureAwaitOptions.ForceYielding);
            }

            var (result, refreshCreatedAt) = await LoadAsync(request, completion).ConfigureAwait(false);
            refreshEntryCreatedAt = refreshCreatedAt;
            if (completion.WritingBehind)
            {
                // The callers get the value now; the flight stays until Redis has it too, so a caller that comes
                // meanwhile gets the same value instead of missing in Redis and running the factory again. Started
                // before the callers are released, so try-get sees the flight from then on.
                writingBehind = true;
                _ = FinishWriteBehindAsync(flightKey, completion);
            }

            completion.TrySetResult(result);
            outcome = result;
        }
        catch (Exception ex)
        {
            if (request.RefreshOnly)
            {
                Log.BackgroundFactoryFailed(_logger, ex);
            }

            completion.TrySetException(ex);

            // Every waiter may have given up (or, for a background refresh, nobody waits): observe the failure so it
            // is not reported as an unobserved task exception. Waiters still get it.
            _ = completion.Task.Exception;
            _flights.TryRemove(new(flightKey, completion));
            throw;
        }

        if (!writingBehind)
        {
            _flights.TryRemove(new(flightKey, completion));
        }

        if (refreshEntryCreatedAt is { } createdAt)
        {
            // A Redis hit past the refresh point: refresh once this flight is out of the way.
            StartRefresh(request with { RefreshOnly = true }, createdAt);
        }

        return outcome;
    }

    /// <summary>A get-or-set returned before Redis acknowledged its write: waits for it, then ends the flight.</summary>
    private async Task FinishWriteBehindAsync<T>(FlightKey flightKey, Flight<T> flight)
    {
        Interlocked.Increment(ref _flightsWritingBehind);
        try
        {
            await flight.WriteBehind.ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            // A Redis failure is counted, not thrown (BackgroundRedisWrite is off with ThrowOnRedisFailure); this is
            // the memory tier or a logger failing. Nobody waits any more: log it.
            Log.BackgroundWriteFailed(_logger, ex);
        }
        finally
        {
            flight.EndWriteBehind();
            _flights.TryRemove(new(flightKey, flight));
            Interlocked.Decrement(ref _flightsWritingBehind);
        }
    }

    /// <summary>Flights whose value was returned before Redis acknowledged its write (<see cref="FinishWriteBehindAsync"/>).</summary>
    private int _flightsWritingBehind;

    /// <summary>
    /// A try-get that memory did not answer, while a get-or-set of the key returned its factory's value without waiting
    /// for Redis: that value, as get-or-set callers get it then (a Redis read might not see the write yet), as long as
    /// it was handed out within the staleness bound and is immutable.
    /// </summary>
    private bool TryValueWrittenBehind<T>(string memoryKey, out CacheResult<T> result)
    {
        // A mutable value is not handed to a second caller: try-get callers never share an instance (memory hits copy).
        if (ImmutableTypes<T>.IsImmutable
            && Volatile.Read(ref _flightsWritingBehind) > 0
            && _flights.TryGetValue(new FlightKey(memoryKey, typeof(T), RefreshOnly: false), out var running)
            && running is Flight<T> { WritingBehind: true, Task.IsCompletedSuccessfully: true } flight
            && !flight.WriteBehindOlderThan(_time.GetTimestamp(), _flightJoinWindowTicks))
        {
            Counters.MemoryHit();
            result = new CacheResult<T>(flight.Task.Result.Value, CacheTier.Memory);
            return true;
        }

        result = default;
        return false;
    }

    private bool WritesBehind<TState, T>(FlightRequest<TState, T> request) =>
        request.Resolved.BackgroundRedisWrite && !request.RefreshOnly && !_throwOnRedisFailure;

    /// <summary>
    /// Starts one background refresh per entry: callers that see the same entry (same creation time) while its
    /// refresh runs do not start another.
    /// </summary>
    private void StartRefresh<TState, T>(FlightRequest<TState, T> request, long entryCreatedAt)
    {
        if (!IsFactoryThrottled(request.MemoryKey) && _refreshing.TryAdd(request.MemoryKey, entryCreatedAt))
        {
            // Replaces only the entry it refreshes: a write that lands while the factory runs stays.
            request.FillCondition = WriteCondition.IfCreatedAt(entryCreatedAt);
            request.RefreshOfCreatedAtUnixMs = entryCreatedAt;

            // Whether the entry was replaced meanwhile (a refresh that ended just before) is checked by the refresh
            // itself, first thing (ReplacedSinceRefreshStartedAsync), in memory and else in Redis.
            // Cleared when whatever flight it joined ends (its own, or one already running for the key).
            _ = JoinFlight(request).ContinueWith(
                static (flight, state) =>
                {
                    // Nobody awaits a refresh: its failure was logged by the flight and is observed here.
                    _ = flight.Exception;
                    var (refreshing, key, createdAt) = ((System.Collections.Concurrent.ConcurrentDictionary<string, long>, string, long))state!;
                    refreshing.TryRemove(new(key, createdAt));
                },
                (_refreshing, request.MemoryKey, entryCreatedAt),
                CancellationToken.None,
                TaskContinuationOptions.ExecuteSynchronously,
                TaskScheduler.Default);
        }
    }

    // Pooled, as is RunFactoryAsync: a miss awaits through both, and each would otherwise allocate its box per miss.
    [System.Runtime.CompilerServices.AsyncMethodBuilder(typeof(System.Runtime.CompilerServices.PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<(CacheResult<T> Result, long? RefreshEntryCreatedAt)> LoadAsync<TState, T>(FlightRequest<TState, T> request, Flight<T> flight)
    {
        StoredValue<T>? stale = null;
        var redisFailed = false;
        if (!request.RefreshOnly)
        {
            var read = await ReadAsync<T>(request.MemoryKey, request.Resolved, CancellationToken.None).ConfigureAwait(false);
            flight.ReadDone = true;
            redisFailed = read.RedisFailed;
            var now = NowUnixMs;
            if (read.Value is { } value)
            {
                if (value.IsFreshAt(now))
                {
                    CountHit(value.Tier);
                    return (new CacheResult<T>(value.Value, value.Tier), IsPastRefreshPoint(value, request.Resolved, now) ? value.CreatedAtUnixMs : null);
                }

                if (value.IsLazilyStaleAt(now))
                {
                    // Lazily invalidated: served now, refreshed once this flight is out of the way.
                    return (LazilyStale(value), value.CreatedAtUnixMs);
                }

                if (request.Resolved.FailSafeEnabled && value.IsUsableAt(now))
                {
                    stale = value;
                }
            }

            Counters.Miss();
            request.FillCondition = FillConditionAfter(read);
            if (FactoryToShare(flight) is { } shared)
            {
                return (await shared.ConfigureAwait(false), null);
            }

            flight.RunningFactory = true;
        }
        else if (await ReplacedSinceRefreshStartedAsync(request).ConfigureAwait(false) is { } current)
        {
            return (current, null);
        }

        // The cross-process lock (RedisCache.Lock.cs) when the entry opts in; otherwise straight to the factory.
        return (await RunFactoryUnderLockAsync(request, stale, redisFailed, flight).ConfigureAwait(false), null);
    }

    /// <summary>When a fill after <paramref name="read"/> may land (see <see cref="FlightRequest{TState, T}.FillCondition"/>).</summary>
    private static WriteCondition FillConditionAfter<T>(in ReadOutcome<T> read) =>
        read.KeyAbsent || read.RedisFailed ? WriteCondition.IfAbsent
        : read.Held is { } held ? WriteCondition.IfStillHolding(held)
        : read.HeldCreatedAtUnixMs != 0 ? WriteCondition.IfCreatedAt(read.HeldCreatedAtUnixMs)
        : WriteCondition.Always;

    /// <param name="request">The flight's request.</param>
    /// <param name="stale">The fail-safe value, if any.</param>
    /// <param name="writeBehindOf">
    /// The flight, when the caller may return before Redis acknowledged the write (<see cref="ResolvedEntryOptions.BackgroundRedisWrite"/>):
    /// the write is left on it. Null under the cross-process lock, whose waiters read the value from Redis.
    /// </param>
    [System.Runtime.CompilerServices.AsyncMethodBuilder(typeof(System.Runtime.CompilerServices.PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<CacheResult<T>> RunFactoryAsync<TState, T>(FlightRequest<TState, T> request, StoredValue<T>? stale, Flight<T>? writeBehindOf = null)
    {
        if (IsFactoryThrottled(request.MemoryKey) && stale is { } throttled)
        {
            // The factory failed moments ago: serve the stale value (just re-read from Redis, so still coherent)
            // instead of calling a failing backend on every request.
            Counters.Stale(throttled.Tier);
            return new CacheResult<T>(throttled.Value, throttled.Tier, isStale: true);
        }

        // The tags' tokens before the factory runs: a remove-by-tag while it runs then invalidates what it returns
        // (its data may predate the change the removal announced).
        var tagTokens = request.Resolved.TagKeys is { } tagKeys
            ? await CurrentTokensAsync(tagKeys, create: true, CancellationToken.None).ConfigureAwait(false)
            : null;
        Counters.FactoryRun();
        var context = new CacheFactoryContext(request.Key, request.Options ?? CacheEntryOptions.Default);
        var resolved = request.Resolved;
        var hardTimeout = resolved.FactoryHardTimeout is { } hard ? new CancellationTokenSource(hard, _time) : null;

        // Started before the factory is called, so the spans of the data source it calls become children of this one.
        var timing = Telemetry.FactoryTiming.Start(Name);
        ValueTask<T> pending;
        try
        {
            pending = request.Factory(request.State, context, hardTimeout?.Token ?? CancellationToken.None);
        }
        catch (Exception ex)
        {
            timing.End(ex);
            hardTimeout?.Dispose();
            if (stale is null)
            {
                NoteFactoryFailure(request);
                throw;
            }

            return ServeStale(request.MemoryKey, stale.Value, ex);
        }

        T value;
        if (pending.IsCompletedSuccessfully)
        {
            // A factory that finished at once (a computed value): no task to wrap it in, nothing to time out.
            value = pending.Result;
            timing.End((string?)null);
            hardTimeout?.Dispose();
        }
        else
        {
            var factoryTask = pending.AsTask();
            if (stale is { } fallback && resolved.FactorySoftTimeout is { } soft
                && !await CompletesWithinAsync(factoryTask, soft).ConfigureAwait(false))
            {
                // Serve the stale value now and let the factory finish (and store its value) in the background.
                _ = StoreWhenDoneAsync(factoryTask, context, request, hardTimeout, tagTokens);
                timing.End(Telemetry.FactoryTiming.SoftTimeout);
                Counters.Stale(fallback.Tier);
                return new CacheResult<T>(fallback.Value, fallback.Tier, isStale: true);
            }

            try
            {
                value = resolved.FactoryHardTimeout is { } limit
                    ? await factoryTask.WaitAsync(limit, _time).ConfigureAwait(false)
                    : await factoryTask.ConfigureAwait(false);
                timing.End((string?)null);
            }
            catch (Exception ex) when (timing.EndedBy(ex))
            {
                // Never entered: the filter ends the span and the timing on any failure, then lets the clauses below handle it.
                throw;
            }
            catch (Exception ex) when (stale is not null)
            {
                TaskFailures.Observe(factoryTask);
                return ServeStale(request.MemoryKey, stale.Value, ex);
            }
            catch (Exception ex) when (ex is not TimeoutException && ex is not OperationCanceledException && request.RefreshOnly)
            {
                NoteFactoryFailure(request);
                throw;
            }
            catch (Exception ex) when (ex is TimeoutException || (ex is OperationCanceledException && hardTimeout is { IsCancellationRequested: true }))
            {
                TaskFailures.Observe(factoryTask);
                NoteFactoryFailure(request);
                throw new CacheFactoryTimeoutException($"The factory for a cache entry ran past its hard timeout of {resolved.FactoryHardTimeout} and fail-safe had no value to serve.", ex);
            }
            finally
            {
                hardTimeout?.Dispose();
            }
        }

        _factoryFailedUntil.TryRemove(request.MemoryKey, out _);
        if (!context.DoNotCache)
        {
            var store = StoreAfterFactoryAsync(value, context, request, tagTokens);
            if (!store.IsCompleted && writeBehindOf is not null && WritesBehind(request))
            {
                // Sent, not yet acknowledged: the flight finishes the write (memory is filled on the acknowledgement).
                writeBehindOf.StartWriteBehind(store, _time.GetTimestamp());
            }
            else
            {
                await store.ConfigureAwait(false);
            }
        }

        return new CacheResult<T>(value, CacheTier.Factory);
    }

    private bool IsFactoryThrottled(string memoryKey)
    {
        if (_factoryFailedUntil.IsEmpty || !_factoryFailedUntil.TryGetValue(memoryKey, out var until))
        {
            return false;
        }

        if (NowUnixMs < until)
        {
            return true;
        }

        _factoryFailedUntil.TryRemove(new(memoryKey, until));
        return false;
    }

    /// <summary>A background refresh that fails is throttled like a failed factory, so hits do not rerun it one after another.</summary>
    private void NoteFactoryFailure<TState, T>(FlightRequest<TState, T> request)
    {
        if (request.RefreshOnly)
        {
            RememberFactoryFailure(request.MemoryKey);
        }
    }

    private void RememberFactoryFailure(string memoryKey)
    {
        var now = NowUnixMs;
        _factoryFailedUntil[memoryKey] = now + (long)_failSafeThrottle.TotalMilliseconds;
        if (_factoryFailedUntil.Count > MaxThrottledKeys)
        {
            // Bounded: drop the windows that are over (a long outage over many keys must not grow this forever).
            foreach (var pair in _factoryFailedUntil)
            {
                if (pair.Value <= now)
                {
                    _factoryFailedUntil.TryRemove(pair);
                }
            }
        }
    }

    private async Task<bool> CompletesWithinAsync(Task task, TimeSpan limit)
    {
        using var delayCancellation = new CancellationTokenSource();
        var delay = Task.Delay(limit, _time, delayCancellation.Token);
        var first = await Task.WhenAny(task, delay).ConfigureAwait(false);
        await delayCancellation.CancelAsync().ConfigureAwait(false);
        return first == task;
    }

    private async Task StoreWhenDoneAsync<TState, T>(Task<T> factoryTask, CacheFactoryContext context, FlightRequest<TState, T> request, CancellationTokenSource? hardTimeout, long[]? tagTokens)
    {
        try
        {
            var value = await factoryTask.ConfigureAwait(false);
            if (!context.DoNotCache)
            {
                await StoreAfterFactoryAsync(value, context, request, tagTokens).ConfigureAwait(false);
            }
        }
        catch (Exception ex)
        {
            Log.BackgroundFactoryFailed(_logger, ex);
        }
        finally
        {
            hardTimeout?.Dispose();
        }
    }

    /// <summary>
    /// Stores a factory's value with the options it left in the context. The tokens read before the factory apply
    /// when it kept the tags; tags it changed are read now.
    /// </summary>
    private ValueTask StoreAfterFactoryAsync<TState, T>(T value, CacheFactoryContext context, FlightRequest<TState, T> request, long[]? tagTokens)
    {
        var resolved = ResolveAfterFactory(context, request);
        if (tagTokens is null && request.Resolved.TagKeys is not null)
        {
            // The tokens could not be read before the factory ran (Redis failed): without them there is no write.
            return default;
        }

        return StoreAsync(request.MemoryKey, value, resolved, CancellationToken.None, ReferenceEquals(resolved.TagKeys, request.Resolved.TagKeys) ? tagTokens : null, request.FillCondition);
    }

    private ResolvedEntryOptions ResolveAfterFactory<TState, T>(CacheFactoryContext context, FlightRequest<TState, T> request) =>
        ReferenceEquals(context.Options, request.Options ?? CacheEntryOptions.Default) ? request.Resolved : _resolver.Resolve(context.Options);

    /// <summary>
    /// Serves a stale value after a factory failure and throttles the factory for the key. Nothing is written to
    /// memory here: the stale value was read before the factory ran, and a newer write may have been invalidated
    /// since, so storing it now could put back a value Redis no longer holds.
    /// </summary>
    private CacheResult<T> ServeStale<T>(string memoryKey, StoredValue<T> stale, Exception? failure)
    {
        Log.FactoryFailedServedStale(_logger, failure);
        Counters.Stale(stale.Tier);
        RememberFactoryFailure(memoryKey);
        return new CacheResult<T>(stale.Value, stale.Tier, isStale: true);
    }

    /// <summary>
    /// A class, not a struct: as a struct its fields made the get-or-set method's frame bigger for every call, memory hits
    /// included (a string hit measured 115 ns against 54 ns as a class; benchmarks/README.md, "L1 hit this session").
    /// </summary>
    private sealed record FlightRequest<TState, T>(
        string Key,
        string MemoryKey,
        TState State,
        Func<TState, CacheFactoryContext, CancellationToken, ValueTask<T>> Factory,
        CacheEntryOptions? Options,
        ResolvedEntryOptions Resolved,
        bool RefreshOnly)
    {
        /// <summary>
        /// When the factory's value may land in Redis, from what the flight's read found: no key (or no answer), then
        /// only while the key is absent (<c>SET NX</c>); an entry it could not use (expired, removed by tag), then only
        /// while the key still holds the entry created at the same time (header); an entry it could not decode, then
        /// only while the key still holds exactly those bytes. Either way a write that landed while the factory ran
        /// (its data may be newer) is not overwritten, nor is an entry this read never saw. A refresh replaces only
        /// the entry it refreshes (same creation time). Set by the flight that owns the request once its read is done,
        /// or when the refresh starts (a copy would be one more object per miss).
        /// </summary>
        public WriteCondition FillCondition { get; set; }

        /// <summary>For a refresh: the creation time of the entry it refreshes (see <c>ReplacedSinceRefreshStartedAsync</c>); 0 otherwise.</summary>
        public long RefreshOfCreatedAtUnixMs { get; set; }
    }
}
