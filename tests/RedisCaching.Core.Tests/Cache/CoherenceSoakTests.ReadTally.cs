using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Threading;

namespace RedisCaching.Core.Tests.Cache;

/// <summary>The soak's count of what its readers saw.</summary>
public partial class CoherenceSoakTests
{
    /// <summary>What the readers saw, and every read that broke the rule.</summary>
    private sealed class ReadTally(TimeSpan window)
    {
        private readonly Lock _gate = new();
        private long _checked;
        private long _fromMemory;
        private long _absent;
        private long _stale;
        private long _withinWindow;
        private double _oldestWithinWindowMs;

        public List<string> Failures { get; } = [];

        public long Checked => Interlocked.Read(ref _checked);

        public long FromMemory => Interlocked.Read(ref _fromMemory);

        public long Absent => Interlocked.Read(ref _absent);

        public long Stale => Interlocked.Read(ref _stale);

        public long WithinWindow => Interlocked.Read(ref _withinWindow);

        public double OldestWithinWindowMs
        {
            get
            {
                lock (_gate)
                {
                    return _oldestWithinWindowMs;
                }
            }
        }

        public void Check(int index, KeyHistory history, CacheResult<string> read, long startedAt)
        {
            Interlocked.Increment(ref _checked);
            if (!read.HasValue)
            {
                // Absent is never a wrong value: a removal, or a read that met a killed connection (a degraded miss).
                Interlocked.Increment(ref _absent);
                return;
            }

            if (read.Tier == CacheTier.Memory)
            {
                Interlocked.Increment(ref _fromMemory);
            }

            var parts = read.Value.Split(':');
            if (parts.Length != 2 || parts[0] != index.ToString(CultureInfo.InvariantCulture) || !long.TryParse(parts[1], CultureInfo.InvariantCulture, out var version))
            {
                Fail($"{Key(index)} returned '{read.Value}' (another key's value, or not one written) from {read.Tier}, stale {read.IsStale}");
                return;
            }

            if (read.IsStale)
            {
                // Fail-safe's documented answer when Redis failed: an older value, and said so (still this key's).
                Interlocked.Increment(ref _stale);
                return;
            }

            var now = Stopwatch.GetTimestamp();
            if (history.Judge(version, startedAt - Stopwatch.Frequency * window.Ticks / TimeSpan.TicksPerSecond, now) is not { } judged)
            {
                return;
            }

            if (version > judged.Issued)
            {
                Fail($"{Key(index)} returned version {version}, never written (last issued {judged.Issued}), from {read.Tier}");
            }
            else if (version < judged.Floor)
            {
                Fail($"{Key(index)} returned version {version} from {read.Tier}, outdated {judged.OutdatedFor?.TotalMilliseconds:F1} ms ago by {judged.OutdatedBy}, acknowledged before the read began less {window.TotalMilliseconds:F0} ms (floor {judged.Floor})");
            }
            else if (judged.OutdatedFor is { } outdatedFor && outdatedFor > Stopwatch.GetElapsedTime(startedAt, now))
            {
                // Older than the last change, which was acknowledged before this read began: within the window.
                Interlocked.Increment(ref _withinWindow);
                lock (_gate)
                {
                    _oldestWithinWindowMs = Math.Max(_oldestWithinWindowMs, (outdatedFor - Stopwatch.GetElapsedTime(startedAt, now)).TotalMilliseconds);
                }
            }
        }

        private void Fail(string message)
        {
            lock (_gate)
            {
                if (Failures.Count < 20)
                {
                    Failures.Add(message);
                }
            }
        }
    }
}
