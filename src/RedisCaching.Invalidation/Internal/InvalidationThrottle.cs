using System;
using System.Threading;
using System.Threading.Tasks;

namespace RedisCaching.Invalidation.Internal;

/// <summary>
/// Decides how big the next batch is and how long to wait before it (the rules are on
/// <see cref="PatternInvalidationOptions"/>): an adaptive back-off when a batch's round trip exceeds the latency
/// budget, a fixed rate cap on examined keys, and a fixed pause. One per run; not thread-safe (a run is sequential).
/// </summary>
internal sealed class InvalidationThrottle(PatternInvalidationOptions options, TimeProvider time)
{
    private TimeSpan _backOff;
    private long _rateAllowedAt;
    private bool _first = true;

    /// <summary>The COUNT of the next batch.</summary>
    public int ScanCount { get; private set; } = options.ScanCount;

    /// <summary>Time spent waiting so far.</summary>
    public TimeSpan Throttled { get; private set; }

    /// <summary>Waits as long as the rules ask before the next batch.</summary>
    public async ValueTask WaitAsync(CancellationToken cancellationToken)
    {
        var delay = NextDelay();
        if (delay > TimeSpan.Zero)
        {
            Throttled += delay;
            await Task.Delay(delay, time, cancellationToken).ConfigureAwait(false);
        }

        cancellationToken.ThrowIfCancellationRequested();
        ReserveRate();
        _first = false;
    }

    /// <summary>The wait before the next batch: the longest of the pause, the back-off and the rate cap.</summary>
    public TimeSpan NextDelay()
    {
        var delay = _first ? TimeSpan.Zero : options.PauseBetweenBatches;
        if (_backOff > delay)
        {
            delay = _backOff;
        }

        if (options.MaxScannedKeysPerSecond is not null && _rateAllowedAt > 0)
        {
            var untilAllowed = time.GetElapsedTime(time.GetTimestamp(), _rateAllowedAt);
            if (untilAllowed > delay)
            {
                delay = untilAllowed;
            }
        }

        return delay;
    }

    /// <summary>
    /// After a batch: adapts COUNT and the back-off to its round trip.
    /// </summary>
    /// <returns>Whether the run backs off (the round trip exceeded the budget).</returns>
    public bool OnBatch(TimeSpan roundTrip)
    {
        _backOff = TimeSpan.Zero;
        var budget = options.LatencyBudget;
        if (budget <= TimeSpan.Zero)
        {
            return false;
        }

        if (roundTrip > budget)
        {
            // Give Redis at least as much time without us as the slow batch took, and make the next one smaller.
            _backOff = roundTrip;
            ScanCount = Math.Max(Math.Min(options.MinScanCount, options.ScanCount), ScanCount / 2);
            return true;
        }

        if (roundTrip * 2 < budget && ScanCount < options.ScanCount)
        {
            ScanCount = (int)Math.Min(options.ScanCount, (long)ScanCount * 2);
        }

        return false;
    }

    /// <summary>Books the next batch's COUNT against the rate cap: the batch after it may start COUNT / rate seconds later.</summary>
    private void ReserveRate()
    {
        if (options.MaxScannedKeysPerSecond is not { } rate)
        {
            return;
        }

        var now = time.GetTimestamp();
        var start = Math.Max(now, _rateAllowedAt);
        _rateAllowedAt = start + (long)((double)ScanCount / rate * time.TimestampFrequency);
    }
}
