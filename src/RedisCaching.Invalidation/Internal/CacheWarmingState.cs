using System;

namespace RedisCaching.Invalidation.Internal;

/// <summary>What the scheduled warming has done so far, for the readiness check: shared by the hosted service and the health check.</summary>
internal sealed class CacheWarmingState
{
    private readonly object _gate = new();
    private int _runs;
    private bool _succeeded;
    private string _last = "start-up warming has not finished";

    /// <summary>Records a finished run (not a cancelled one).</summary>
    public void Completed(bool succeeded, string summary)
    {
        lock (_gate)
        {
            _runs++;
            _succeeded |= succeeded;
            _last = summary;
        }
    }

    /// <summary>Runs finished; whether any of them had no failure; the last one's summary.</summary>
    public (int Runs, bool AnySucceeded, string Last) Read()
    {
        lock (_gate)
        {
            return (_runs, _succeeded, _last);
        }
    }
}
