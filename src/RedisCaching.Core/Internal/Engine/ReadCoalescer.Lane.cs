using System.Collections.Generic;

namespace RedisCaching.Internal.Engine;

internal sealed partial class ReadCoalescer
{
    /// <summary>
    /// The reads of one multiplexer: those in flight (counted) and those waiting for a batch. Its fields change only
    /// under the coalescer's lock, except <see cref="Coalesces"/>, which a read may see late (it then goes in a batch the
    /// server refuses, and alone after that).
    /// </summary>
    internal sealed class Lane(ReadCoalescer owner, bool coalesces) : ICommandDoneListener
    {
        /// <summary>False on a cluster, or once the server refused an <c>MGET</c>: every read goes alone.</summary>
        public volatile bool Coalesces = coalesces;

        /// <summary>GETs and <c>MGET</c>s sent on the multiplexer and not answered yet.</summary>
        public int InFlight;

        /// <summary>Reads waiting for a batch, oldest first.</summary>
        public readonly List<CoalescedRead> Waiting = [];

        /// <summary>Waiting reads at which those whose callers left are dropped even while nothing may go (see <see cref="TakeBatch"/>).</summary>
        public int CompactAt = MinCompaction;

        /// <summary>A GET of its own counted in this lane completed: its slot is free (<see cref="SeparateReadDone"/>).</summary>
        void ICommandDoneListener.CommandDone() => owner.SeparateReadDone(this);
    }
}
