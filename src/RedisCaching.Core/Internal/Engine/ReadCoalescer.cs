using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Threading;
using System.Threading.Tasks;
using StackExchange.Redis;

namespace RedisCaching.Internal.Engine;

/// <summary>
/// Turns many concurrent reads into one <c>MGET</c> once enough are in flight
/// (<see cref="RedisCachingOptions.CoalesceReadsAbove"/>): below that, each read sends its own GET as before, so a
/// read that has the connection to itself never waits. Above it, a read waits for the next reply of those in flight
/// and goes with every other waiting read in one <c>MGET</c>; a full batch (8 reads, or the threshold if larger)
/// leaves at once, up to twice the threshold in flight.
/// </summary>
/// <remarks>
/// Why: with 64 callers on 2 cores the client and the server share the CPU, and a GET costs each of them a command of
/// its own (StackExchange.Redis's message, task and reply; the server's dispatch). One <c>MGET</c> of 60 keys costs
/// a fraction of 60 GETs on both sides. No timer: a waiting read goes when a read in flight completes or a full batch
/// is waiting, so the wait is at most one round trip, and only when other reads already fill the connection.
/// Each key's value comes from its own position in one reply, so a dropped connection fails the whole batch (every
/// read in it sees a Redis failure) and can never hand one key's value to another. Only where every key lives on one
/// node: never on a cluster (an <c>MGET</c> across slots is refused there). Counted per multiplexer (a
/// <see cref="Lane"/> each), and at most twice the threshold in flight on one, full batches included: a server that
/// hangs holds that many slots of commands, and later reads wait out their budget without adding to them. A GET of
/// its own that may fill memory takes its key's <c>PTTL</c> into its slot (sent just before it), so such a server
/// holds at most three times the threshold of read commands (the threshold's GETs and PTTLs, the rest in batches); a
/// coalesced read sends its <c>PTTL</c> only once its batch was answered, and only for a value memory keeps
/// (<see cref="RedisExpiryBound.ToAsk"/>).
/// </remarks>
internal sealed partial class ReadCoalescer
{
    /// <summary>Keys in one <c>MGET</c> at most: bounds the reply a single read waits behind.</summary>
    internal const int MaxKeysPerBatch = 256;

    /// <summary>
    /// The smallest batch that leaves without waiting for a reply: small enough that a burst does not wait a round
    /// trip, large enough that one command still carries many reads (a batch of one or two would cost what GETs cost).
    /// </summary>
    internal const int MinFullBatch = 8;

    /// <summary>Answered batches kept for reuse: more than are in flight under steady load (a few at 64 callers).</summary>
    private const int MaxSpareBatches = 16;

    /// <summary>Waiting reads below which those whose callers left are not dropped while nothing may go.</summary>
    private const int MinCompaction = 64;

    private readonly int _separateLimit;

    /// <summary>Waiting reads that leave at once as a batch, without waiting for a reply: the threshold, at least <see cref="MinFullBatch"/>.</summary>
    private readonly int _fullBatch;

    /// <summary>
    /// Commands in flight on one multiplexer at most, full batches included: twice the limit. A server that hangs then
    /// holds that many commands of ours; every later read waits out its budget without sending, as a GET would have
    /// waited in StackExchange.Redis's backlog, instead of adding batches for the server to answer once it wakes.
    /// </summary>
    private readonly int _maxInFlight;
    private readonly Lock _gate = new();

    /// <summary>Answered batches, kept for the next (each holds room for <see cref="MaxKeysPerBatch"/> reads).</summary>
    private readonly Stack<Batch> _spareBatches = new();

    /// <summary>
    /// Each multiplexer's reads in flight and waiting, apart (held as long as the multiplexer lives): on Sentinel a
    /// replaced primary's multiplexer may hold batches that StackExchange.Redis fails only at its own timeout, seconds
    /// later, and the new primary's reads must not wait behind them.
    /// </summary>
    private readonly ConditionalWeakTable<IConnectionMultiplexer, Lane> _lanes = new();
    private long _coalescedReads;
    private long _batches;
    private long _failedBatches;

    /// <param name="separateLimit">Reads in flight (GETs and <c>MGET</c>s) on one multiplexer before a read waits to be coalesced.</param>
    public ReadCoalescer(int separateLimit)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(separateLimit, 1);
        _separateLimit = separateLimit;
        _fullBatch = Math.Max(separateLimit, MinFullBatch);
        _maxInFlight = 2 * separateLimit;
    }

    /// <summary>Reads that went in an <c>MGET</c> with others.</summary>
    public long CoalescedReads => Interlocked.Read(ref _coalescedReads);

    /// <summary><c>MGET</c>s sent.</summary>
    public long Batches => Interlocked.Read(ref _batches);

    /// <summary><c>MGET</c>s that failed (a lost connection, a timeout), failing each of their reads as a Redis failure.</summary>
    public long FailedBatches => Interlocked.Read(ref _failedBatches);

    /// <summary>
    /// Whether a read on <paramref name="multiplexer"/> sends a GET of its own now. True with a <paramref name="lane"/>:
    /// the read is counted in flight until its GET completes (pass the lane to <see cref="BudgetedCall{TResult}.WaitAsync"/>
    /// as the listener, or call <see cref="SeparateReadDone"/> when the GET could not be sent): not when its caller gives
    /// up, or a server that hangs would be sent a new command for every read that gave up.
    /// True without one: the multiplexer is not coalesced (a cluster, not connected yet, <c>MGET</c> refused), nothing to
    /// release. False: it goes through <see cref="GetAsync(Lane, IDatabaseAsync, RedisKey, TimeSpan, TimeProvider, CancellationToken)"/>
    /// with <paramref name="lane"/>. Nothing waits here (the waiting reads go first).
    /// </summary>
    public bool TryReadSeparately(IConnectionMultiplexer multiplexer, out Lane? lane)
    {
        lane = LaneFor(multiplexer);
        if (lane is null)
        {
            return true;
        }

        lock (_gate)
        {
            if (lane.InFlight >= _separateLimit || lane.Waiting.Count != 0)
            {
                return false;
            }

            lane.InFlight++;
            return true;
        }
    }

    /// <summary>A GET of its own counted in <paramref name="lane"/> completed (or was never sent): the waiting reads may go.</summary>
    public void SeparateReadDone(Lane lane)
    {
        Batch? batch;
        lock (_gate)
        {
            lane.InFlight--;
            Debug.Assert(lane.InFlight >= 0, "a GET's slot was freed twice");
            batch = TakeBatch(lane);
        }

        SendAll(batch);
    }

    /// <summary>
    /// <see cref="GetAsync(Lane, IDatabaseAsync, RedisKey, TimeSpan, TimeProvider, CancellationToken)"/> in the lane of
    /// <paramref name="database"/>'s multiplexer; a GET of its own (within the budget) where it is not coalesced.
    /// </summary>
    public ValueTask<Lease<byte>?> GetAsync(IDatabaseAsync database, RedisKey key, TimeSpan budget, TimeProvider time, CancellationToken cancellationToken) =>
        LaneFor(database.Multiplexer) is { } lane
            ? GetAsync(lane, database, key, budget, time, cancellationToken)
            : BudgetedCall<Lease<byte>?>.WaitAsync(database.StringGetLeaseAsync(key), budget, time, cancellationToken);

    /// <summary>
    /// The value of <paramref name="key"/> (null when Redis has none), read with the other waiting reads of
    /// <paramref name="lane"/> in one <c>MGET</c> on <paramref name="database"/>, awaited for at most
    /// <paramref name="budget"/>: a <see cref="TimeoutException"/> after it, an <see cref="OperationCanceledException"/>
    /// when the token fires first (a read not sent yet is then dropped from the waiting reads; one already in a batch has
    /// its value dropped).
    /// </summary>
    public ValueTask<Lease<byte>?> GetAsync(Lane lane, IDatabaseAsync database, RedisKey key, TimeSpan budget, TimeProvider time, CancellationToken cancellationToken)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromCanceled<Lease<byte>?>(cancellationToken);
        }

        if (!lane.Coalesces)
        {
            // The server refused an MGET since the lane was looked up.
            return BudgetedCall<Lease<byte>?>.WaitAsync(database.StringGetLeaseAsync(key), budget, time, cancellationToken);
        }

        var read = CoalescedRead.Start(database, key, budget, time, cancellationToken, out var result);
        Batch? batch;
        lock (_gate)
        {
            lane.Waiting.Add(read);
            batch = TakeBatch(lane);
        }

        SendAll(batch);
        return result;
    }

    /// <summary>
    /// The lane of <paramref name="multiplexer"/>'s reads; null where they are not coalesced: a cluster (every key is
    /// on one node only otherwise), a refused <c>MGET</c>, or not connected yet (asked again next time).
    /// </summary>
    private Lane? LaneFor(IConnectionMultiplexer multiplexer)
    {
        if (!_lanes.TryGetValue(multiplexer, out var lane))
        {
            if (!multiplexer.IsConnected)
            {
                return null;
            }

            lane = _lanes.GetValue(multiplexer, connected => new Lane(this, coalesces: !RedisConnection.IsClusterServer(connected)));
        }

        return lane.Coalesces ? lane : null;
    }

    /// <summary>A batch answered: its slot is free and it goes back to the spare batches; the reads waiting may go.</summary>
    private void BatchDone(Batch done)
    {
        Batch? batch;
        lock (_gate)
        {
            batch = Finish(done);
        }

        SendAll(batch);
    }

    /// <summary>Under the lock: frees the slot of <paramref name="done"/>, keeps it for reuse, and returns the next batch of its lane.</summary>
    private Batch? Finish(Batch done)
    {
        var lane = done.Lane!;
        done.Lane = null;
        lane.InFlight--;
        Debug.Assert(lane.InFlight >= 0, "a batch's slot was freed twice");

        // Kept for the next, up to MaxSpareBatches (a server that hangs lets full batches pile up; their arrays are not kept for good).
        if (_spareBatches.Count < MaxSpareBatches)
        {
            _spareBatches.Push(done);
        }

        return TakeBatch(lane);
    }

    /// <summary>
    /// Sends <paramref name="batch"/>, and the next one while each completes at once (a connection that fails fast):
    /// a loop, not a recursion through the completions.
    /// </summary>
    private void SendAll(Batch? batch)
    {
        while (batch is not null && batch.SendAndCompletedAtOnce())
        {
            lock (_gate)
            {
                batch = Finish(batch);
            }
        }
    }

    /// <summary>
    /// The server refused the <c>MGET</c> itself (an ACL without it, a renamed command, keys on several slots of a
    /// cluster not recognised as one): <paramref name="lane"/>'s reads are not coalesced again, and those waiting go alone.
    /// </summary>
    private void StopCoalescing(Lane lane)
    {
        CoalescedRead[] waiting;
        lock (_gate)
        {
            lane.Coalesces = false;
            waiting = [.. lane.Waiting];
            lane.Waiting.Clear();
        }

        foreach (var read in waiting)
        {
            ReadAlone(read);
        }
    }

    private static bool IsRefusal(Exception failure) =>
        failure is RedisServerException { Message: var message }
        && (CommandRefusal.IsRefusedForGood(message)
            || message.StartsWith("CROSSSLOT", StringComparison.Ordinal)
            || message.StartsWith("MOVED", StringComparison.Ordinal));

    /// <summary>A read that was to go in a batch, as a GET of its own (not counted in flight): where the server refuses <c>MGET</c>.</summary>
    private static void ReadAlone(CoalescedRead read)
    {
        Task<Lease<byte>?> get;
        try
        {
            get = read.Database.StringGetLeaseAsync(read.Key);
        }
        catch (Exception ex)
        {
            read.Answer(null, ex, inline: false);
            return;
        }

        _ = get.ContinueWith(
            static (answered, state) =>
            {
                // On the thread pool: the GET may have completed at once, and then this runs on the thread sending
                // the batch (a caller's own, or a reply's), where no other caller may continue.
                var read = (CoalescedRead)state!;
                if (answered.IsCompletedSuccessfully)
                {
                    read.Answer(answered.Result, null, inline: false);
                }
                else
                {
                    read.Answer(null, answered.Exception?.InnerException ?? new TaskCanceledException(answered), inline: false);
                }
            },
            read,
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
    }

    /// <summary>
    /// Under the lock: the next batch of <paramref name="lane"/>, counted in flight, when reads wait and either the
    /// connection has room or a full batch is waiting (<see cref="_fullBatch"/>; up to <see cref="_maxInFlight"/>): a
    /// burst of reads then leaves in a few batches at once instead of waiting a round trip for a reply.
    /// </summary>
    private Batch? TakeBatch(Lane lane)
    {
        var waiting = lane.Waiting;
        if (!MayGo(lane))
        {
            // Nothing may go (a server that holds every command): the reads whose callers left would pile up until it
            // answers, each holding its object, so they are dropped whenever the list has doubled since the last time.
            if (waiting.Count >= lane.CompactAt)
            {
                DropAbandoned(waiting);
                lane.CompactAt = Math.Max(MinCompaction, 2 * waiting.Count);
            }

            return null;
        }

        // Reads whose callers left (their budget, their token) are not sent, nor counted towards a full batch: on a
        // connection that hangs they would only lead another batch onto it. Dropped only once the cheap check passed
        // (dropping never makes a batch more likely to go), so a read that waits behind a busy connection costs no scan.
        DropAbandoned(waiting);
        if (!MayGo(lane))
        {
            return null;
        }

        lane.InFlight++;
        var batch = _spareBatches.TryPop(out var spare) ? spare : new Batch(this);
        batch.Lane = lane;
        var taken = Math.Min(waiting.Count, MaxKeysPerBatch);
        for (var i = 0; i < taken; i++)
        {
            batch.Add(waiting[i]);
        }

        waiting.RemoveRange(0, taken);
        if (waiting.Count == 0)
        {
            // A hang after this one starts counting afresh, not from this burst's peak.
            lane.CompactAt = MinCompaction;
        }

        return batch;
    }

    /// <summary>Under the lock: drops the reads whose callers left (back to their pool once their callers read the outcome).</summary>
    private static void DropAbandoned(List<CoalescedRead> waiting) =>
        waiting.RemoveAll(static read =>
        {
            if (read.CallerWaits)
            {
                return false;
            }

            read.Drop();
            return true;
        });

    /// <summary>Under the lock: whether reads of <paramref name="lane"/> wait and may leave now.</summary>
    private bool MayGo(Lane lane) =>
        lane.Waiting.Count != 0
        && (lane.InFlight < _separateLimit || (lane.Waiting.Count >= _fullBatch && lane.InFlight < _maxInFlight));
}
