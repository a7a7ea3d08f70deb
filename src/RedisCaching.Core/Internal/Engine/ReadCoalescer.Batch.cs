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

        /// <summary>When the batch was taken to be sent (<see cref="Environment.TickCount64"/>; under the coalescer's lock).</summary>
        public long SentAtMs { get; set; }

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
                        // Not a Redis failure: the server will not take an MGET here. Each read asks on its own instead.
                        _owner.StopCoalescingOn(_reads[0].Database.Multiplexer);
                        for (var i = 0; i < count; i++)
                        {
                            ReadAlone(_reads[i]);
                        }

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

                var queued = lastInline ? count - 1 : count;
                for (var i = 0; i < queued; i++)
                {
                    _reads[i].Answer(ToLease(values[i]), null, inline: false);
                }

                if (!lastInline)
                {
                    return null;
                }

                var last = _reads[count - 1];
                last.Hold(ToLease(values[count - 1]), null);
                return last;
            }
            finally
            {
                Array.Clear(_reads, 0, count);
            }
        }

        /// <summary>A read of a batch the server refused, as a GET of its own (not counted in flight).</summary>
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
