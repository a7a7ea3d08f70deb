using System;
using System.Threading;
using System.Threading.Tasks;
using StackExchange.Redis;

namespace RedisCaching.Internal.Engine;

internal sealed partial class ReadCoalescer
{
    /// <summary>One <c>MGET</c> and the reads waiting on it; reused once it answered (see <see cref="BatchDone"/>).</summary>
    private sealed class Batch
    {
        private readonly ReadCoalescer _owner;
        private readonly CoalescedRead[] _reads = new CoalescedRead[MaxKeysPerBatch];
        private readonly Action _onAnswered;
        private readonly Action _onAnsweredAlone;
        private Task<RedisValue[]>? _sent;
        private Task<Lease<byte>?>? _sentAlone;

        public Batch(ReadCoalescer owner)
        {
            _owner = owner;
            _onAnswered = OnAnswered;
            _onAnsweredAlone = OnAnsweredAlone;
        }

        /// <summary>The lane the batch was taken from, while it is in flight (under the coalescer's lock).</summary>
        public Lane? Lane { get; set; }

        /// <summary>Reads taken so far.</summary>
        public int Count { get; private set; }

        /// <summary>Takes <paramref name="read"/> into the batch (under the coalescer's lock).</summary>
        public void Add(CoalescedRead read) => _reads[Count++] = read;

        /// <summary>Sends the <c>MGET</c>; true when it completed at once (its reads are answered, and the caller releases its slot).</summary>
        public bool SendAndCompletedAtOnce()
        {
            if (Count == 1)
            {
                return SendAloneAndCompletedAtOnce();
            }

            Interlocked.Increment(ref _owner._batches);
            Interlocked.Add(ref _owner._coalescedReads, Count);
            var keys = new RedisKey[Count];
            for (var i = 0; i < keys.Length; i++)
            {
                keys[i] = _reads[i].Key;
            }

            Task<RedisValue[]> sent;
            try
            {
                // Every key of a batch is on the one node (never coalesced on a cluster), which any of the
                // connection's multiplexers reaches: the first read's does.
                sent = _reads[0].Database.StringGetAsync(keys);
            }
            catch (Exception ex)
            {
                sent = Task.FromException<RedisValue[]>(ex);
            }

            if (sent.IsCompleted)
            {
                // Here the callers of other reads must not continue on this thread (it may be a caller's own, sending).
                Answer(sent, lastInline: false);
                return true;
            }

            _sent = sent;

            // Stores the delegate itself as the task's continuation: no allocation.
            sent.ConfigureAwait(false).GetAwaiter().UnsafeOnCompleted(_onAnswered);
            return false;
        }

        /// <summary>
        /// A batch of one read goes as the GET it would have sent alone: an <c>MGET</c> of one key would cost the same
        /// command, plus the value's copy out of the reply array. Still counted in flight, so the reads behind it wait.
        /// </summary>
        private bool SendAloneAndCompletedAtOnce()
        {
            var read = _reads[0];
            Task<Lease<byte>?> sent;
            try
            {
                sent = read.Database.StringGetLeaseAsync(read.Key);
            }
            catch (Exception ex)
            {
                sent = Task.FromException<Lease<byte>?>(ex);
            }

            if (sent.IsCompleted)
            {
                TakeAloneAnswer(sent).SettleOnThreadPool();
                return true;
            }

            _sentAlone = sent;
            sent.ConfigureAwait(false).GetAwaiter().UnsafeOnCompleted(_onAnsweredAlone);
            return false;
        }

        private void OnAnsweredAlone()
        {
            var sent = _sentAlone!;
            _sentAlone = null;
            var read = TakeAloneAnswer(sent);
            _owner.BatchDone(this);
            read.Settle();
        }

        /// <summary>Empties a batch of one and holds the GET's outcome in its read, which it returns.</summary>
        private CoalescedRead TakeAloneAnswer(Task<Lease<byte>?> answered)
        {
            var read = _reads[0];
            _reads[0] = null!;
            Count = 0;
            if (answered.IsCompletedSuccessfully)
            {
                read.Hold(answered.Result, null);
            }
            else
            {
                read.Hold(null, answered.Exception?.InnerException ?? new TaskCanceledException(answered));
            }

            return read;
        }

        private void OnAnswered()
        {
            var answered = _sent!;
            _sent = null;
            CoalescedRead? last = null;
            try
            {
                last = Answer(answered, lastInline: true);
            }
            finally
            {
                // Whatever happened (even a lease that could not be rented), the slot is freed and the next batch is
                // sent before the last read's caller continues on this thread.
                _owner.BatchDone(this);
            }

            last?.Settle();
        }

        /// <summary>
        /// Hands each read its value, or the batch's failure, and empties the batch. With <paramref name="lastInline"/>
        /// the last read's value is held in it and the read returned, for the caller to settle once the batch is
        /// released; every other read is settled on the thread pool.
        /// </summary>
        private CoalescedRead? Answer(Task<RedisValue[]> answered, bool lastInline)
        {
            var count = Count;
            Count = 0;
            try
            {
                if (!answered.IsCompletedSuccessfully)
                {
                    var failure = answered.Exception?.InnerException ?? new TaskCanceledException(answered);
                    if (IsRefusal(failure))
                    {
                        // Not a Redis failure: the server will not take an MGET here. Each read asks on its own instead,
                        // and so do those waiting in the lane.
                        for (var i = 0; i < count; i++)
                        {
                            ReadAlone(_reads[i]);
                        }

                        _owner.StopCoalescing(Lane!);
                        return null;
                    }

                    Interlocked.Increment(ref _owner._failedBatches);
                    for (var i = 0; i < count; i++)
                    {
                        _reads[i].Answer(null, failure, inline: false);
                    }

                    return null;
                }

                var values = answered.Result;
                if (values.Length != count)
                {
                    // Never guess which value is whose: a reply of the wrong shape fails every read of the batch.
                    var mismatch = new RedisException($"MGET of {count} keys answered {values.Length} values.");
                    for (var i = 0; i < count; i++)
                    {
                        _reads[i].Answer(null, mismatch, inline: false);
                    }

                    return null;
                }

                for (var i = 0; i < count; i++)
                {
                    // Each read's copy on its own: a copy that fails (memory exhausted) fails that read alone, as a Redis
                    // failure, instead of leaving the reads after it unanswered and throwing on a reply's thread.
                    Lease<byte>? value = null;
                    Exception? failure = null;
                    try
                    {
                        value = ToLease(values[i]);
                    }
                    catch (Exception ex)
                    {
                        failure = new RedisException("The value could not be taken out of the MGET reply.", ex);
                    }

                    if (lastInline && i == count - 1)
                    {
                        _reads[i].Hold(value, failure);
                        return _reads[i];
                    }

                    _reads[i].Answer(value, failure, inline: false);
                }

                return null;
            }
            finally
            {
                Array.Clear(_reads, 0, count);
            }
        }

        /// <summary>The value as the pooled lease a GET would have given (the read disposes it); null when Redis has none.</summary>
        private static Lease<byte>? ToLease(RedisValue value)
        {
            if (value.IsNull)
            {
                return null;
            }

            var bytes = (ReadOnlyMemory<byte>)value;
            var lease = Lease<byte>.Create(bytes.Length, clear: false);
            bytes.Span.CopyTo(lease.Span);
            return lease;
        }
    }
}
