using System;
using System.Threading;
using System.Threading.Tasks;
using NUnit.Framework;
using RedisCaching.Internal.Engine;

namespace RedisCaching.Core.Tests.Cache;

/// <summary>The per-core memory-hit counter: no increment lost under concurrency, none allocates.</summary>
public class StripedCounterTests
{
    [Test]
    public void Concurrent_increments_from_every_core_all_count()
    {
        var counter = new StripedCounter();
        const int Threads = 8;
        const int PerThread = 100_000;
        using var start = new Barrier(Threads);
        var workers = new Task[Threads];
        for (var t = 0; t < Threads; t++)
        {
            workers[t] = Task.Factory.StartNew(
                () =>
                {
                    start.SignalAndWait();
                    for (var i = 0; i < PerThread; i++)
                    {
                        counter.Increment();
                    }
                },
                CancellationToken.None,
                TaskCreationOptions.LongRunning,
                TaskScheduler.Default);
        }

        Task.WaitAll(workers);
        Assert.That(counter.Value, Is.EqualTo((long)Threads * PerThread));
    }

    [Test]
    public void An_increment_allocates_nothing()
    {
        var counter = new StripedCounter();
        counter.Increment();
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 1000; i++)
        {
            counter.Increment();
        }

        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        using (Assert.EnterMultipleScope())
        {
            Assert.That(allocated, Is.Zero);
            Assert.That(counter.Value, Is.EqualTo(1001));
        }
    }
}
