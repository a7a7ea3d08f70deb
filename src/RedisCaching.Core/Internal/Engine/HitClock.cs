using System;
using System.Threading;

namespace RedisCaching.Internal.Engine;

/// <summary>
/// The clock of the memory-hit path. Reading the wall clock costs about 30 ns on a KVM guest (kvm-clock through the
/// vDSO), as much as a whole <c>MemoryCache</c> hit; <see cref="Environment.TickCount64"/> costs about 5 ns but is
/// coarse (it moves in steps of the kernel's tick: 1-10 ms on Linux, 15.6 ms on Windows). This clock is TickCount64
/// anchored to the <see cref="TimeProvider"/> (re-anchored every second, so drift and clock steps are picked up
/// within a second) plus a margin larger than one step, so it may run ahead of the wall clock by up to
/// <see cref="MaxLeadMs"/> but never behind it. The hit path only uses it to <em>accept</em> a hit (the entry is fresh
/// even at this later time); whatever it refuses goes to the exact path, which reads the TimeProvider. So no entry
/// is served past its expiry; in its last few milliseconds it is served by the slower path instead.
/// With any TimeProvider other than <see cref="TimeProvider.System"/> (tests with fake time) it reads the provider.
/// </summary>
internal sealed class HitClock(TimeProvider time)
{
    /// <summary>Added to the estimate: one coarse step (at most ~16 ms), the millisecond truncation, and a second's drift.</summary>
    private const long MarginMs = 20;

    /// <summary>How far ahead of the wall clock a reading can be (the margin plus one coarse step); never behind.</summary>
    public const long MaxLeadMs = MarginMs + 20;

    private const long ReanchorAfterMs = 1000;

    private readonly bool _system = ReferenceEquals(time, TimeProvider.System);

    /// <summary>Wall-clock Unix ms minus TickCount64 at the last anchoring: one long, so readers never see a torn pair.</summary>
    private long _offset;

    /// <summary>TickCount64 at the last anchoring; only decides when to re-anchor, so a stale read is harmless.</summary>
    private long _anchorTick = long.MinValue;

    /// <summary>Now in Unix milliseconds, possibly up to <see cref="MaxLeadMs"/> ahead, never behind.</summary>
    /// <param name="tick"><see cref="Environment.TickCount64"/>, read by the caller just before (it passes the same reading on to the lease check).</param>
    public long NotBehindUnixMs(long tick)
    {
        if (!_system)
        {
            return time.GetUtcNow().ToUnixTimeMilliseconds();
        }

        if ((ulong)(tick - Volatile.Read(ref _anchorTick)) >= ReanchorAfterMs)
        {
            return Reanchor(tick);
        }

        return tick + Volatile.Read(ref _offset) + MarginMs;
    }

    private long Reanchor(long tick)
    {
        // The tick first: it lags the true time by less than a step, and the wall clock read after it is not earlier.
        var offset = time.GetUtcNow().ToUnixTimeMilliseconds() - tick;
        Volatile.Write(ref _offset, offset);
        Volatile.Write(ref _anchorTick, tick);
        return tick + offset + MarginMs;
    }
}
