using System;
using System.Threading;
using System.Threading.Tasks;

namespace RedisCaching.Internal.Engine;

/// <summary>
/// Joining a flight that is still reading Redis. A caller that joins gets what the flight's <c>GET</c> returned, and
/// Redis may have answered that <c>GET</c> before a write this caller already saw acknowledged: the answer can travel
/// for a long time on a loaded machine (a backlog of replies, a thread-pool queue). So a caller joins such a flight
/// only while it is younger than the staleness bound (<see cref="MemoryTierOptions.MaxStaleness"/>, the promise memory
/// hits keep too); past it, the caller reads Redis itself. The factory phase is always shared: a slow factory is what
/// stampede protection is for, and what it returns is newer than any earlier write.
/// </summary>
internal sealed partial class RedisCache
{
    private static long JoinWindowTicks(TimeSpan maxStaleness, TimeProvider time) =>
        maxStaleness == Timeout.InfiniteTimeSpan ? long.MaxValue : (long)(maxStaleness.TotalSeconds * time.TimestampFrequency);

    private Task<CacheResult<T>> JoinRunning<TState, T>(Flight<T> flight, FlightRequest<TState, T> request, bool mayReadPast)
    {
        if (!mayReadPast || request.RefreshOnly || flight.ReadDone || _time.GetTimestamp() - flight.StartedAt <= _flightJoinWindowTicks)
        {
            return flight.Task;
        }

        return ReadPastFlightAsync(request);
    }

    /// <summary>
    /// Reads Redis on this caller's behalf instead of joining a flight older than the bound. A fresh value is returned
    /// (and fills memory as any read does); otherwise the caller joins (or starts) the flight for the factory.
    /// </summary>
    private async Task<CacheResult<T>> ReadPastFlightAsync<TState, T>(FlightRequest<TState, T> request)
    {
        var read = await ReadAsync<T>(request.MemoryKey, request.Resolved, CancellationToken.None).ConfigureAwait(false);
        var now = NowUnixMs;
        if (read.Value is { } value && value.IsFreshAt(now))
        {
            CountHit(value.Tier);
            return new CacheResult<T>(value.Value, value.Tier);
        }

        return await JoinFlight(request, mayReadPast: false).ConfigureAwait(false);
    }

    /// <summary>One flight: the callers that joined wait on its task.</summary>
    /// <param name="startedAt">When the flight started (<see cref="TimeProvider.GetTimestamp"/>).</param>
    private sealed class Flight<T>(long startedAt) : TaskCompletionSource<CacheResult<T>>(TaskCreationOptions.RunContinuationsAsynchronously)
    {
        private volatile bool _readDone;

        public long StartedAt { get; } = startedAt;

        /// <summary>The flight's Redis read is over: what follows (the factory) is shared with every caller.</summary>
        public bool ReadDone
        {
            get => _readDone;
            set => _readDone = value;
        }
    }
}
