using System;
using System.Threading;
using System.Threading.Tasks;

namespace RedisCaching.Internal.Engine;

/// <summary>
/// Joining a flight that is still reading Redis. A caller that joins gets what the flight's <c>GET</c> returned, and
/// Redis may have answered that <c>GET</c> before a write this caller already saw acknowledged: the answer can travel
/// for a long time on a loaded machine (a backlog of replies, a thread-pool queue). So a caller joins such a flight
/// only while it is younger than the staleness bound (<see cref="MemoryTierOptions.MaxStaleness"/>, the promise memory
/// hits keep too); past it, the caller starts a new flight that replaces the old one for everyone who comes later, so a
/// hot key costs at most one more <c>GET</c> per bound while Redis is slow, not one per caller. The factory phase is
/// always shared: a slow factory is what stampede protection is for, and what it returns is newer than any earlier
/// write; a replacing flight whose read misses too waits for the factory of the flight it replaced. A flight that
/// returned its value before Redis acknowledged the write (<see cref="ResolvedEntryOptions.BackgroundRedisWrite"/>)
/// stays until the acknowledgement and hands that value to get-or-set and try-get callers meanwhile, but only within the
/// bound: another client's write may land before ours is acknowledged.
/// </summary>
internal sealed partial class RedisCache
{
    private static long JoinWindowTicks(TimeSpan maxStaleness, TimeProvider time) =>
        maxStaleness == Timeout.InfiniteTimeSpan ? long.MaxValue : (long)(maxStaleness.TotalSeconds * time.TimestampFrequency);

    private Task<CacheResult<T>> JoinRunning<TState, T>(FlightKey flightKey, Flight<T> flight, FlightRequest<TState, T> request, bool mayReplace)
    {
        var now = _time.GetTimestamp();
        if (!mayReplace || request.RefreshOnly || now - flight.StartedAt <= _flightJoinWindowTicks
            || (flight.ReadDone && !flight.WriteBehindOlderThan(now, _flightJoinWindowTicks)))
        {
            return flight.Task;
        }

        var replacement = new Flight<T>(now) { Replaced = flight };
        return _flights.TryUpdate(flightKey, replacement, flight)
            ? RunFlightAsync(flightKey, replacement, request)

            // Another caller replaced it (or it ended) first: join whatever runs now, or start one.
            : JoinFlight(request, mayReplace: false);
    }

    /// <summary>
    /// A flight that replaced an older one and missed in Redis: when the older one is running its factory, its value is
    /// this flight's too (one factory per key, as without the replacement). Null when this flight runs its own.
    /// </summary>
    private static Task<CacheResult<T>>? FactoryToShare<T>(Flight<T> flight) =>
        flight.Replaced is { RunningFactory: true, Task.IsCompleted: false } older ? older.Task : null;

    /// <summary>One flight: the callers that joined wait on its task.</summary>
    /// <param name="startedAt">When the flight started (<see cref="TimeProvider.GetTimestamp"/>).</param>
    private sealed class Flight<T>(long startedAt) : TaskCompletionSource<CacheResult<T>>(TaskCreationOptions.RunContinuationsAsynchronously)
    {
        private volatile bool _readDone;
        private volatile bool _runningFactory;

        public long StartedAt { get; } = startedAt;

        /// <summary>The flight this one replaced because it was too old to join, if any.</summary>
        public Flight<T>? Replaced { get; init; }

        /// <summary>The flight's Redis read is over: what follows is shared with every caller.</summary>
        public bool ReadDone
        {
            get => _readDone;
            set => _readDone = value;
        }

        private volatile bool _writingBehind;
        private long _writeBehindSince;

        /// <summary>
        /// The write of the factory's value when the callers did not wait for it (<see cref="ResolvedEntryOptions.BackgroundRedisWrite"/>);
        /// awaited once, by the flight, and touched by no other thread (see <see cref="WritingBehind"/>).
        /// </summary>
        public ValueTask WriteBehind { get; private set; }

        /// <summary>The flight's value was returned and its write is still unacknowledged; safe to read from any thread.</summary>
        public bool WritingBehind => _writingBehind;

        /// <param name="write">The write, pending.</param>
        /// <param name="now">When the callers were given the value (<see cref="TimeProvider.GetTimestamp"/>).</param>
        public void StartWriteBehind(ValueTask write, long now)
        {
            WriteBehind = write;
            _writeBehindSince = now;
            _writingBehind = true;
        }

        /// <summary>
        /// The value was handed out more than <paramref name="window"/> ago and Redis has still not acknowledged its
        /// write: another client's write may have landed meanwhile, so nobody else gets this value any more.
        /// </summary>
        public bool WriteBehindOlderThan(long now, long window) => _writingBehind && now - Volatile.Read(ref _writeBehindSince) > window;

        public void EndWriteBehind() => _writingBehind = false;

        /// <summary>The flight's read missed and its factory runs.</summary>
        public bool RunningFactory
        {
            get => _runningFactory;
            set => _runningFactory = value;
        }
    }
}
