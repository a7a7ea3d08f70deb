using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;

namespace RedisCaching.Internal.Adapters;

/// <summary>
/// HybridCache's factory cancellation on top of the engine's single flight. The engine never cancels a factory
/// because one caller gave up (its flight serves every caller); HybridCache goes one step further and cancels the
/// factory once every caller waiting for it has cancelled. Callers that wait and factories that run join a
/// <see cref="SharedFactoryCancellation"/> per key and value type, and the factory gets its token.
/// </summary>
internal sealed partial class HybridCacheAdapter
{
    /// <summary>How often a caller that joined a just-abandoned flight starts the work again before it gives up.</summary>
    private const int MaxAttempts = 5;

    private readonly ConcurrentDictionary<FlightId, SharedFactoryCancellation> _cancellations = new();

    private ValueTask<CacheResult<T>> Start<TState, T>(FactoryCall<TState, T> call, CacheEntryOptions? options, CancellationToken cancellationToken) =>
        _cache.GetOrSetAsync(call.Key, call, static (c, _, engineToken) => RunFactoryAsync(c, engineToken), options, cancellationToken);

    private async ValueTask<T> WaitAsync<TState, T>(FactoryCall<TState, T> call, ValueTask<CacheResult<T>> pending, CacheEntryOptions? options, CancellationToken cancellationToken)
    {
        var id = new FlightId(call.Key, typeof(T));
        for (var attempt = 1; ; attempt++)
        {
            var shared = Join(id, asFactory: false);
            var cancelled = false;
            try
            {
                return (await pending.ConfigureAwait(false)).Value;
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                cancelled = true;
                throw;
            }
            catch (FactoryAbandonedException) when (attempt < MaxAttempts)
            {
                // We joined a flight whose callers had all cancelled just before: our token is live, so start again
                // (after the engine has dropped the dead flight, which it does right after failing it).
            }
            finally
            {
                LeaveAsCaller(id, shared, cancelled);
            }

            await Task.Delay(attempt, cancellationToken).ConfigureAwait(false);
            pending = Start(call, options, cancellationToken);
        }
    }

    private static async ValueTask<T> RunFactoryAsync<TState, T>(FactoryCall<TState, T> call, CancellationToken engineToken)
    {
        var owner = call.Owner;
        var id = new FlightId(call.Key, typeof(T));
        var shared = owner.Join(id, asFactory: true);

        // The engine's token is the hard timeout, when the entry has one; the factory must see both.
        var linked = engineToken.CanBeCanceled ? CancellationTokenSource.CreateLinkedTokenSource(shared.Token, engineToken) : null;
        try
        {
            return await call.Factory(call.State, linked?.Token ?? shared.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException ex) when (shared.Token.IsCancellationRequested && !engineToken.IsCancellationRequested)
        {
            throw new FactoryAbandonedException("Every caller waiting for this cache factory cancelled, so the factory was cancelled.", ex);
        }
        finally
        {
            linked?.Dispose();
            if (shared.LeaveAsFactory())
            {
                owner._cancellations.TryRemove(new KeyValuePair<FlightId, SharedFactoryCancellation>(id, shared));
            }
        }
    }

    private SharedFactoryCancellation Join(FlightId id, bool asFactory)
    {
        while (true)
        {
            var shared = _cancellations.GetOrAdd(id, static _ => new SharedFactoryCancellation());
            if (shared.TryJoin(asFactory))
            {
                return shared;
            }

            // Closed a moment ago by its last member: take it out (if that member has not yet) and start a new one.
            _cancellations.TryRemove(new KeyValuePair<FlightId, SharedFactoryCancellation>(id, shared));
        }
    }

    private void LeaveAsCaller(FlightId id, SharedFactoryCancellation shared, bool cancelled)
    {
        if (shared.LeaveAsCaller(cancelled))
        {
            _cancellations.TryRemove(new KeyValuePair<FlightId, SharedFactoryCancellation>(id, shared));
        }
    }

    /// <summary>Matches the engine's flights, which are per key and value type.</summary>
    private readonly record struct FlightId(string Key, Type ValueType);

    /// <summary>The engine's factory state: a struct, so a memory hit allocates nothing for it.</summary>
    private readonly record struct FactoryCall<TState, T>(HybridCacheAdapter Owner, string Key, TState State, Func<TState, CancellationToken, ValueTask<T>> Factory);
}
