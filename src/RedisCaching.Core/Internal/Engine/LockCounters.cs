using System.Threading;

namespace RedisCaching.Internal.Engine;

/// <summary>What the cross-process stampede lock did (for tests and, later, metrics).</summary>
internal sealed class LockCounters
{
    private long _acquired;
    private long _waits;
    private long _valuesArrived;
    private long _waitsTimedOut;
    private long _staleWhileWaiting;
    private long _unavailable;
    private long _lost;
    private long _refreshesLeft;

    /// <summary>Locks taken (this process then ran the factory, or found the value on its re-check).</summary>
    public long Acquired => Volatile.Read(ref _acquired);

    /// <summary>Misses that found the lock held by another process and waited.</summary>
    public long Waits => Volatile.Read(ref _waits);

    /// <summary>Waits that ended with the other process's value.</summary>
    public long ValuesArrived => Volatile.Read(ref _valuesArrived);

    /// <summary>Waits that ran out; the factory then ran here.</summary>
    public long WaitsTimedOut => Volatile.Read(ref _waitsTimedOut);

    /// <summary>Waits cut short by the soft timeout with a stale value to serve.</summary>
    public long StaleWhileWaiting => Volatile.Read(ref _staleWhileWaiting);

    /// <summary>Lock calls Redis could not answer (the factory ran without the lock).</summary>
    public long Unavailable => Volatile.Read(ref _unavailable);

    /// <summary>Releases that found the lock expired or held by someone else (nothing was deleted).</summary>
    public long Lost => Volatile.Read(ref _lost);

    /// <summary>Eager refreshes left to the process that held the lock.</summary>
    public long RefreshesLeft => Volatile.Read(ref _refreshesLeft);

    public void Acquire() => Interlocked.Increment(ref _acquired);

    public void Wait() => Interlocked.Increment(ref _waits);

    public void ValueArrived() => Interlocked.Increment(ref _valuesArrived);

    public void WaitTimedOut() => Interlocked.Increment(ref _waitsTimedOut);

    public void ServedStaleWhileWaiting() => Interlocked.Increment(ref _staleWhileWaiting);

    public void NotAvailable() => Interlocked.Increment(ref _unavailable);

    public void LostLock() => Interlocked.Increment(ref _lost);

    public void LeftRefresh() => Interlocked.Increment(ref _refreshesLeft);
}
