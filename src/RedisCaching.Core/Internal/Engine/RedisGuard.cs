using System;
using System.Threading;

namespace RedisCaching.Internal.Engine;

/// <summary>
/// The circuit breaker around Redis. Closed: every call goes through. After <c>threshold</c> consecutive failures it
/// opens: calls skip Redis until the break has passed; then one probe is let through (half-open), and its result
/// closes or reopens the circuit.
/// </summary>
internal sealed class RedisGuard(int threshold, TimeSpan breakDuration, TimeProvider time)
{
    private readonly Lock _gate = new();
    private int _consecutiveFailures;
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
        lock (_gate)
        {
            _consecutiveFailures++;
            if (_probeInFlight || (_openUntilTicks == 0 && _consecutiveFailures >= threshold))
            {
                _openUntilTicks = (time.GetUtcNow() + breakDuration).UtcTicks;
                _probeInFlight = false;
                TimesOpened++;
            }
        }
    }
}
