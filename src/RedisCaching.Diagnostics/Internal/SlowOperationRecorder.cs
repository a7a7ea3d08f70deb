using System;
using System.Collections.Generic;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.Logging;

namespace RedisCaching.Diagnostics.Internal;

/// <summary>
/// Listens to Core's <c>db.client.operation.duration</c> (the engine times its Redis commands only while someone
/// listens), logs those over the threshold and keeps the last ones in a ring. The measurement's tags are the source:
/// they hold the command and the cache's name, never a key, so neither can the log.
/// </summary>
internal sealed class SlowOperationRecorder : ISlowOperationLog, IDisposable
{
    private const string InstrumentName = "db.client.operation.duration";

    private readonly MeterListener _listener = new();
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly double _thresholdSeconds;
    private readonly SlowOperation[] _ring;
    private readonly object _gate = new();
    private int _next;
    private int _count;

    public SlowOperationRecorder(SlowOperationLogOptions options, ILogger logger, TimeProvider time)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(options.Threshold, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.Capacity, 1);
        _logger = logger;
        _time = time;
        _thresholdSeconds = options.Threshold.TotalSeconds;
        _ring = new SlowOperation[options.Capacity];
        _listener.InstrumentPublished = static (instrument, listener) =>
        {
            if (instrument.Meter.Name == RedisCachingTelemetry.MeterName && instrument.Name == InstrumentName)
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<double>(OnMeasurement);
        _listener.Start();
    }

    public IReadOnlyList<SlowOperation> GetRecent()
    {
        lock (_gate)
        {
            var recent = new SlowOperation[_count];
            for (var i = 0; i < _count; i++)
            {
                recent[i] = _ring[(_next - _count + i + _ring.Length) % _ring.Length];
            }

            return recent;
        }
    }

    private void OnMeasurement(Instrument instrument, double seconds, ReadOnlySpan<KeyValuePair<string, object?>> tags, object? state)
    {
        // The common case returns here, before anything is read or allocated.
        if (seconds <= _thresholdSeconds)
        {
            return;
        }

        string operation = "?", cacheName = "?";
        string? errorType = null;
        foreach (var tag in tags)
        {
            switch (tag.Key)
            {
                case "db.operation.name": operation = tag.Value as string ?? operation; break;
                case RedisCachingTelemetry.CacheNameTag: cacheName = tag.Value as string ?? cacheName; break;
                case "error.type": errorType = tag.Value as string; break;
            }
        }

        var slow = new SlowOperation(_time.GetUtcNow(), cacheName, operation, TimeSpan.FromSeconds(seconds), errorType);
        lock (_gate)
        {
            _ring[_next] = slow;
            _next = (_next + 1) % _ring.Length;
            _count = Math.Min(_count + 1, _ring.Length);
        }

        Log.SlowRedisOperation(_logger, operation, cacheName, seconds * 1000, _thresholdSeconds * 1000, errorType);
    }

    public void Dispose() => _listener.Dispose();
}
