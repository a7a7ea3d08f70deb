using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Threading;

namespace RedisCaching.Core.Tests.Cache;

/// <summary>The soak's record of one key's acknowledged changes.</summary>
public partial class CoherenceSoakTests
{
    /// <summary>
    /// One key's acknowledged changes, in order: the floor each sets (the lowest version a read may return after it)
    /// and when it was acknowledged. Versions only grow, and a removal raises the floor past every version issued.
    /// </summary>
    private sealed class KeyHistory
    {
        private readonly Lock _gate = new();
        private readonly List<(long Floor, long AcknowledgedAt, string What)> _changes = [];
        private long _issued;
        private long _lastWritten;
        private bool _present;

        public bool InDoubt { get; private set; }

        public long Issue()
        {
            lock (_gate)
            {
                return ++_issued;
            }
        }

        public void Written(long version, string what) => Acknowledge(version, what);

        /// <summary>Gone (deleted, overwritten with foreign bytes, expired, flushed): only a version issued later may be read.</summary>
        public void Removed(string what) => Acknowledge(version: null, what);

        public void MarkInDoubt()
        {
            lock (_gate)
            {
                InDoubt = true;
            }
        }

        public string? FinalValue(int index)
        {
            lock (_gate)
            {
                return _present ? Value(index, _lastWritten) : null;
            }
        }

        /// <summary>
        /// The floor in force at <paramref name="timestamp"/> and, when <paramref name="version"/> is below the floor in
        /// force now, how long ago the change that outdated it was acknowledged; null while the key is in doubt.
        /// </summary>
        public (long Floor, long Issued, TimeSpan? OutdatedFor, string? OutdatedBy)? Judge(long version, long timestamp, long now)
        {
            lock (_gate)
            {
                if (InDoubt)
                {
                    return null;
                }

                // From the newest change back: floors only grow, so once a change's floor is at most the version (and the
                // floor at the timestamp is found), every earlier one's is too.
                long floor = 0;
                var floorFound = false;
                TimeSpan? outdatedFor = null;
                string? outdatedBy = null;
                for (var i = _changes.Count - 1; i >= 0; i--)
                {
                    var (changeFloor, acknowledgedAt, what) = _changes[i];
                    if (!floorFound && acknowledgedAt <= timestamp)
                    {
                        (floor, floorFound) = (changeFloor, true);
                    }

                    if (changeFloor > version)
                    {
                        // The earliest change that outdated the version, as the loop goes back.
                        outdatedFor = Stopwatch.GetElapsedTime(acknowledgedAt, now);
                        outdatedBy = what;
                    }
                    else if (floorFound)
                    {
                        break;
                    }
                }

                return (floor, _issued, outdatedFor, outdatedBy);
            }
        }

        private void Acknowledge(long? version, string what)
        {
            lock (_gate)
            {
                _changes.Add((version ?? _issued + 1, Stopwatch.GetTimestamp(), what));
                _present = version is not null;
                if (version is { } written)
                {
                    _lastWritten = written;
                }
            }
        }
    }
}
