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
/// and goes with every other waiting read in one <c>MGET</c>.
/// </summary>
/// <remarks>
/// Why: with 64 callers on 2 cores the client and the server share the CPU, and a GET costs each of them a command of
/// its own (StackExchange.Redis's message, task and reply; the server's dispatch). One <c>MGET</c> of 60 keys costs
/// a fraction of 60 GETs on both sides. No timer: a waiting read goes when a read in flight completes, so the wait is
/// at most one round trip, and only when other reads already fill the connection.
/// Each key's value comes from its own position in one reply, so a dropped connection fails the whole batch (every
/// read in it sees a Redis failure) and can never hand one key's value to another. Only where every key lives on one
/// node: never on a cluster (an <c>MGET</c> across slots is refused there).
/// </remarks>
internal sealed class ReadCoalescer
{
    /// <summary>Keys in one <c>MGET</c> at most: bounds the reply a single read waits behind.</summary>
    internal const int MaxKeysPerBatch = 256;

    private readonly int _separateLimit;
    private readonly Lock _gate = new();
    private List<WaitingRead> _waiting = [];
    private int _inFlight;
    private long _coalescedReads;
    private long _batches;
    private readonly ConditionalWeakTable<IConnectionMultiplexer, StrongBox<bool>> _singleNode = new();

    /// <param name="separateLimit">Reads in flight (GETs and <c>MGET</c>s) before a read waits to be coalesced.</param>
    public ReadCoalescer(int separateLimit)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(separateLimit, 1);
        _separateLimit = separateLimit;
    }

    /// <summary>Reads that went in an <c>MGET</c> with others.</summary>
    public long CoalescedReads => Interlocked.Read(ref _coalescedReads);

    /// <summary><c>MGET</c>s sent.</summary>
    public long Batches => Interlocked.Read(ref _batches);

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

    /// <summary>The value of <paramref name="key"/> (null when Redis has none), read with the other waiting reads in one <c>MGET</c> on <paramref name="database"/>.</summary>
    public Task<Lease<byte>?> GetAsync(IDatabaseAsync database, RedisKey key)
    {
        if (!IsSingleNode(database.Multiplexer))
        {
            // A cluster, or a server not reached yet: a GET of its own (not counted in flight, so nothing to release).
            return database.StringGetLeaseAsync(key);
        }

        // Continuations off the thread that completes the batch, as StackExchange.Redis runs its own: one read's
        // decoding never holds up the other reads of the batch.
        var read = new WaitingRead(database, key, new TaskCompletionSource<Lease<byte>?>(TaskCreationOptions.RunContinuationsAsynchronously));
        Batch? batch;
        lock (_gate)
        {
            _waiting.Add(read);
            batch = TakeBatch();
        }

        batch?.Send(this);
        return read.Result.Task;
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

        batch?.Send(this);
    }

    /// <summary>Under the lock: the next batch, when reads wait and the connection has room; counted in flight.</summary>
    private Batch? TakeBatch()
    {
        if (_waiting.Count == 0 || _inFlight >= _separateLimit)
        {
            return null;
        }

        _inFlight++;
        List<WaitingRead> taken;
        if (_waiting.Count <= MaxKeysPerBatch)
        {
            taken = _waiting;
            _waiting = [];
        }
        else
        {
            taken = _waiting.GetRange(0, MaxKeysPerBatch);
            _waiting.RemoveRange(0, MaxKeysPerBatch);
        }

        return new Batch(taken);
    }

    private readonly record struct WaitingRead(IDatabaseAsync Database, RedisKey Key, TaskCompletionSource<Lease<byte>?> Result);

    /// <summary>One <c>MGET</c> and the reads waiting on it.</summary>
    private sealed class Batch(List<WaitingRead> reads)
    {
        private ReadCoalescer? _owner;

        public void Send(ReadCoalescer owner)
        {
            _owner = owner;
            Interlocked.Increment(ref owner._batches);
            Interlocked.Add(ref owner._coalescedReads, reads.Count);
            var keys = new RedisKey[reads.Count];
            for (var i = 0; i < keys.Length; i++)
            {
                keys[i] = reads[i].Key;
            }

            Task<RedisValue[]> sent;
            try
            {
                // Every key of a batch is on the one node (never coalesced on a cluster), which any of the
                // connection's multiplexers reaches: the first read's does.
                sent = reads[0].Database.StringGetAsync(keys);
            }
            catch (Exception ex)
            {
                Complete(Task.FromException<RedisValue[]>(ex));
                return;
            }

            _ = sent.ContinueWith(
                static (answered, state) => ((Batch)state!).Complete(answered),
                this,
                CancellationToken.None,
                TaskContinuationOptions.ExecuteSynchronously,
                TaskScheduler.Default);
        }

        private void Complete(Task<RedisValue[]> answered)
        {
            try
            {
                if (!answered.IsCompletedSuccessfully)
                {
                    var failure = answered.Exception?.InnerException ?? new TaskCanceledException(answered);
                    foreach (var read in reads)
                    {
                        read.Result.TrySetException(failure);
                    }

                    return;
                }

                var values = answered.Result;
                if (values.Length != reads.Count)
                {
                    // Never guess which value is whose: a reply of the wrong shape fails every read of the batch.
                    var mismatch = new RedisException($"MGET of {reads.Count} keys answered {values.Length} values.");
                    foreach (var read in reads)
                    {
                        read.Result.TrySetException(mismatch);
                    }

                    return;
                }

                for (var i = 0; i < values.Length; i++)
                {
                    reads[i].Result.TrySetResult(values[i].IsNull ? null : ToLease(values[i]));
                }
            }
            finally
            {
                _owner!.Release();
            }
        }

        /// <summary>The value as the pooled lease a GET would have given (the read disposes it).</summary>
        private static Lease<byte> ToLease(RedisValue value)
        {
            var bytes = (ReadOnlyMemory<byte>)value;
            var lease = Lease<byte>.Create(bytes.Length, clear: false);
            bytes.Span.CopyTo(lease.Span);
            return lease;
        }
    }
}
