using System.Threading;

namespace RedisCaching.Core.Tests.Adapters;

/// <summary>
/// A UI-like context whose queue is never pumped: anything posted to it never runs. A blocking call made under it
/// deadlocks if (and only if) something on its path resumes on the captured context.
/// </summary>
internal sealed class NeverPumpedSynchronizationContext : SynchronizationContext
{
    private int _posted;

    public int Posted => Volatile.Read(ref _posted);

    public override void Post(SendOrPostCallback d, object? state) => Interlocked.Increment(ref _posted);

    public override void Send(SendOrPostCallback d, object? state) => Interlocked.Increment(ref _posted);
}
