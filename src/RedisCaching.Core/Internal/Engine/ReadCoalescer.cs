using System;
using System.Collections.Generic;
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
/// leaves at once.
/// </summary>
/// <remarks>
/// Why: with 64 callers on 2 cores the client and the server share the CPU, and a GET costs each of them a command of
/// its own (StackExchange.Redis's message, task and reply; the server's dispatch). One <c>MGET</c> of 60 keys costs
/// a fraction of 60 GETs on both sides. No timer: a waiting read goes when a read in flight completes or a full batch
/// is waiting, so the wait is at most one round trip, and only when other reads already fill the connection.
/// Each key's value comes from its own position in one reply, so a dropped connection fails the whole batch (every
/// read in it sees a Redis failure) and can never hand one key's value to another. Only where every key lives on one
/// node: never on a cluster (an <c>MGET</c> across slots is refused there).
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

    private readonly int _separateLimit;

    /// <summary>Waiting reads that leave at once as a batch, without waiting for a reply: the threshold, at least <see cref="MinFullBatch"/>.</summary>
    private readonly int _fullBatch;
    private readonly Lock _gate = new();
    private readonly List<CoalescedRead> _waiting = [];

    /// <summary>Batches that answered, kept for the next (each holds room for <see cref="MaxKeysPerBatch"/> reads).</summary>
    private readonly Stack<Batch> _spareBatches = new();
    private int _inFlight;

    /// <summary>Batches sent and not answered yet, in the order sent (under the lock).</summary>
    private readonly List<Batch> _sending = [];

    /// <summary>The reads' budget in milliseconds (the cache's Redis timeout: the same for every read).</summary>
    private long _budgetMs = long.MaxValue;
    private long _coalescedReads;
    private long _batches;
    private long _failedBatches;
    private readonly ConditionalWeakTable<IConnectionMultiplexer, StrongBox<bool>> _singleNode = new();

    /// <param name="separateLimit">Reads in flight (GETs and <c>MGET</c>s) before a read waits to be coalesced.</param>
    public ReadCoalescer(int separateLimit)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(separateLimit, 1);
        _separateLimit = separateLimit;
        _fullBatch = Math.Max(separateLimit, MinFullBatch);
    }

    /// <summary>Reads that went in an <c>MGET</c> with others.</summary>
    public long CoalescedReads => Interlocked.Read(ref _coalescedReads);

    /// <summary><c>MGET</c>s sent.</summary>
    public long Batches => Interlocked.Read(ref _batches);

    /// <summary><c>MGET</c>s that failed (a lost connection, a timeout), failing each of their reads as a Redis failure.</summary>
    public long FailedBatches => Interlocked.Read(ref _failedBatches);

    /// <summary>
    /// Whether the read may send a GET of its own now (then it must call <see cref="SeparateReadDone"/> once it has
    /// its reply or gave up); false: it goes through <see cref="GetAsync"/>. Nothing waits (the waiting reads go first).
    /// </summary>
    public bool TryReadSeparately()
    {
        lock (_gate)
        {
            if (_inFlight >= _separateLimit || _waiting.Count != 0)
            {
                return false;
            }

            _inFlight++;
            return true;
        }
    }

    /// <summary>A read that went alone has its answer (or gave up on it): the waiting reads may go.</summary>
    public void SeparateReadDone() => Release();

    /// <summary>
    /// The value of <paramref name="key"/> (null when Redis has none), read with the other waiting reads in one
    /// <c>MGET</c> on <paramref name="database"/>, awaited for at most <paramref name="budget"/>: a
    /// <see cref="TimeoutException"/> after it, an <see cref="OperationCanceledException"/> when the token fires first
    /// (a read not sent yet is then dropped from the waiting reads; one already in a batch has its value dropped).
    /// </summary>
    public ValueTask<Lease<byte>?> GetAsync(IDatabaseAsync database, RedisKey key, TimeSpan budget, TimeProvider time, CancellationToken cancellationToken)
    {
        if (!IsSingleNode(database.Multiplexer))
        {
            // A cluster, or a server not reached yet: a GET of its own (not counted in flight, so nothing to release).
            return BudgetedCall<Lease<byte>?>.WaitAsync(database.StringGetLeaseAsync(key), budget, time, cancellationToken);
        }

        if (cancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromCanceled<Lease<byte>?>(cancellationToken);
        }

        var read = CoalescedRead.Start(database, key, budget, time, cancellationToken, out var result);
        Batch? batch;
        lock (_gate)
        {
            _budgetMs = (long)budget.TotalMilliseconds;
            _waiting.Add(read);
            batch = TakeBatch();
        }

        SendAll(batch);
        return result;
    }

    /// <summary>
    /// Whether every key <paramref name="multiplexer"/> reads is on one node: connected, and not to a cluster. Kept per
    /// multiplexer once known (a connection may hold several); a multiplexer not connected yet is asked again next time.
    /// </summary>
    private bool IsSingleNode(IConnectionMultiplexer multiplexer)
    {
        if (_singleNode.TryGetValue(multiplexer, out var known))
        {
            return known.Value;
        }

        if (!multiplexer.IsConnected)
        {
            return false;
        }

        var single = !RedisConnection.IsClusterServer(multiplexer);
        _singleNode.AddOrUpdate(multiplexer, new StrongBox<bool>(single));
        return single;
    }

    private void Release()
    {
        Batch? batch;
        lock (_gate)
        {
            _inFlight--;
            batch = TakeBatch();
        }

        SendAll(batch);
    }

    /// <summary>A batch answered: its slot is free and it goes back to the spare batches; the reads waiting may go.</summary>
    private void BatchDone(Batch done)
    {
        Batch? batch;
        lock (_gate)
        {
            _inFlight--;
            _sending.Remove(done);
            KeepSpare(done);
            batch = TakeBatch();
        }

        SendAll(batch);
    }

    /// <summary>
    /// Under the lock: batches in flight for longer than the reads' budget. Every read in them has given up, so they
    /// no longer count against the reads waiting: a connection that died with batches in its backlog (StackExchange.Redis
    /// fails them only at its own timeout, seconds later) would otherwise hold every slot, and every read after it
    /// would wait out its budget, even on the new primary after a failover.
    /// </summary>
    private int Overdue()
    {
        var overdue = 0;
        var now = Environment.TickCount64;
        foreach (var batch in _sending)
        {
            if (now - batch.SentAtMs <= _budgetMs)
            {
                // Sent in order: the later ones are younger.
                break;
            }

            overdue++;
        }

        return overdue;
    }

    /// <summary>
    /// Under the lock: keeps an answered batch for the next, up to <see cref="MaxSpareBatches"/> (a server that hangs
    /// lets full batches pile up; their arrays are not kept for good).
    /// </summary>
    private void KeepSpare(Batch batch)
    {
        if (_spareBatches.Count < MaxSpareBatches)
        {
            _spareBatches.Push(batch);
        }
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
                _inFlight--;
                _sending.Remove(batch);
                KeepSpare(batch);
                batch = TakeBatch();
            }
        }
    }

    /// <summary>
    /// The server refused the <c>MGET</c> itself (an ACL without it, a renamed command, keys on several slots of a
    /// cluster not recognised as one): this multiplexer's reads are not coalesced again.
    /// </summary>
    private void StopCoalescingOn(IConnectionMultiplexer multiplexer) => _singleNode.AddOrUpdate(multiplexer, new StrongBox<bool>(false));

    private static bool IsRefusal(Exception failure) =>
        failure is RedisServerException { Message: var message }
        && (CommandRefusal.IsRefusedForGood(message)
            || message.StartsWith("CROSSSLOT", StringComparison.Ordinal)
            || message.StartsWith("MOVED", StringComparison.Ordinal));

    /// <summary>
    /// Under the lock: the next batch, counted in flight, when reads wait and either the connection has room or a full
    /// batch is waiting (<see cref="_fullBatch"/>): a burst of reads then leaves in a few batches at once instead of
    /// waiting a round trip for a reply.
    /// </summary>
    private Batch? TakeBatch()
    {
        if (_waiting.Count == 0 || (_inFlight >= _separateLimit && _waiting.Count < _fullBatch && _inFlight - Overdue() >= _separateLimit))
        {
            return null;
        }

        // Reads whose callers left (their budget, their token) are not sent: on a connection that hangs they would
        // only lead another batch onto it.
        _waiting.RemoveAll(static read =>
        {
            if (read.CallerWaits)
            {
                return false;
            }

            read.Drop();
            return true;
        });
        if (_waiting.Count == 0)
        {
            return null;
        }

        _inFlight++;
        var batch = _spareBatches.TryPop(out var spare) ? spare : new Batch(this);
        batch.SentAtMs = Environment.TickCount64;
        _sending.Add(batch);

        // Only reads of the first one's multiplexer (a connection may hold several; on Sentinel a replaced one may
        // still have reads waiting): the others go in the next batch, on their own.
        var multiplexer = _waiting[0].Database.Multiplexer;
        var kept = 0;
        for (var i = 0; i < _waiting.Count; i++)
        {
            var read = _waiting[i];
            if (batch.Count < MaxKeysPerBatch && ReferenceEquals(read.Database.Multiplexer, multiplexer))
            {
                batch.Add(read);
            }
            else
            {
                _waiting[kept++] = read;
            }
        }

        _waiting.RemoveRange(kept, _waiting.Count - kept);
        return batch;
    }
}
