using System;
using System.Collections.Generic;
using System.Diagnostics;

namespace RedisCaching.Internal.Telemetry;

/// <summary>
/// The span and duration of one factory run. Both are skipped entirely (no clock read, no activity) when nobody
/// listens; a struct, so timing a factory allocates nothing of its own.
/// </summary>
internal struct FactoryTiming
{
    private Activity? _activity;
    private long _startedAt;
    private string _cacheName;

    public static FactoryTiming Start(string cacheName)
    {
        var timing = new FactoryTiming { _cacheName = cacheName };
        if (CacheInstruments.Source.HasListeners())
        {
            timing._activity = CacheInstruments.StartSpan(CacheInstruments.Source, RedisCachingTelemetry.FactoryActivityName, cacheName);
        }

        if (CacheInstruments.FactoryDuration.Enabled)
        {
            timing._startedAt = Stopwatch.GetTimestamp();
        }

        return timing;
    }

    /// <summary><c>error.type</c> of a factory that passed its soft timeout (it keeps running; a stale value was served).</summary>
    public const string SoftTimeout = "soft_timeout";

    /// <summary>Ends the timing (once: later calls do nothing).</summary>
    public void End(Exception? failure) => End(failure?.GetType().FullName);

    /// <summary>Ends the timing with an <c>error.type</c> (null: success).</summary>
    public void End(string? errorType)
    {
        if (_startedAt != 0)
        {
            var tags = new TagList { new KeyValuePair<string, object?>(RedisCachingTelemetry.CacheNameTag, _cacheName) };
            if (errorType is not null)
            {
                tags.Add("error.type", errorType);
            }

            CacheInstruments.FactoryDuration.Record(Stopwatch.GetElapsedTime(_startedAt).TotalSeconds, tags);
            _startedAt = 0;
        }

        if (_activity is { } activity)
        {
            if (errorType is not null && activity.IsAllDataRequested)
            {
                activity.SetStatus(ActivityStatusCode.Error, errorType);
                activity.AddTag("error.type", errorType);
            }

            activity.Dispose();
            _activity = null;
        }
    }

    /// <summary>For an exception filter: ends the timing with the failure and returns false (the exception is not caught).</summary>
    public bool EndedBy(Exception failure)
    {
        End(failure);
        return false;
    }
}
