using System;
using System.Threading;

namespace RedisCaching.Internal.Engine;

/// <summary>
/// The circuit breaker around Redis. Closed: every call goes through. After <c>threshold</c> consecutive failures it
/// opens: calls skip Redis until the break has passed; then one probe is let through (half-open), and its result
/// closes or reopens the circuit. Failures less than <see cref="BurstWindow"/> after the last one counted are the same
/// failure: a dropped connection fails every command in flight on it at once, and that is one event, not one per
/// caller (64 reads in flight would otherwise open the breaker, and send every read to its factory for the whole
/// break, on a connection reset that StackExchange.Redis repairs in milliseconds).
/// </summary>
internal sealed class RedisGuard(int threshold, TimeSpan breakDuration, TimeProvider time)
{
    /// <summary>
    /// How close after a counted failure another one is part of the same burst. Long enough for every command of a
    /// dropped connection to be failed (on a busy thread pool too), short against a dead server's steady failures:
    /// with calls arriving all the time and a 250 ms budget, the default threshold of 5 opens ~400 ms after the first
    /// timeout.
    /// </summary>
    internal static readonly TimeSpan BurstWindow = TimeSpan.FromMilliseconds(100);

    private readonly Lock _gate = new();
    private int _consecutiveFailures;
    private long _lastCountedFailureAt;
    private long _openUntilTicks;
    private bool _probeInFlight;

    public RedisCircuitState State
    {
        get
        {
            lock (_gate)
            {
                return _openUntilTicks == 0 ? RedisCircuitState.Closed
                    : time.GetUtcNow().UtcTicks < _openUntilTicks ? RedisCircuitState.Open
                    : RedisCircuitState.HalfOpen;
            }
        }
    }

    public long TimesOpened { get; private set; }

    /// <summary>Whether a call may go to Redis now (in half-open state, only the one probe may).</summary>
    public bool TryEnter()
    {
        if (Volatile.Read(ref _openUntilTicks) == 0)
        {
            return true;
        }

        lock (_gate)
        {
            if (_openUntilTicks == 0)
            {
                return true;
            }

            if (time.GetUtcNow().UtcTicks < _openUntilTicks || _probeInFlight)
            {
                return false;
            }

            _probeInFlight = true;
            return true;
        }
    }

    public void Success()
    {
        if (Volatile.Read(ref _openUntilTicks) == 0 && Volatile.Read(ref _consecutiveFailures) == 0)
        {
            return;
        }

        lock (_gate)
        {
            _consecutiveFailures = 0;
            _openUntilTicks = 0;
            _probeInFlight = false;
        }
    }

    /// <summary>A call that let in as the probe ended without a verdict (cancelled by its caller): let the next call probe.</summary>
    public void Abandon()
    {
        if (!Volatile.Read(ref _probeInFlight))
        {
            return;
        }

        lock (_gate)
        {
            _probeInFlight = false;
        }
    }

    public void Failure()
    {
        var now = time.GetTimestamp();
        lock (_gate)
        {
            if (!_probeInFlight && _consecutiveFailures > 0 && time.GetElapsedTime(_lastCountedFailureAt, now) < BurstWindow)
            {
                return;
            }

            _consecutiveFailures++;
            _lastCountedFailureAt = now;
            if (_probeInFlight || (_openUntilTicks == 0 && _consecutiveFailures >= threshold))
            {
                _openUntilTicks = (time.GetUtcNow() + breakDuration).UtcTicks;
                _probeInFlight = false;
                TimesOpened++;
            }
        }
    }
}
