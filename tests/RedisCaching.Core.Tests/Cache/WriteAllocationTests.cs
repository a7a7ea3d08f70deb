using System;
using System.Buffers;
using System.Threading.Tasks;
using NUnit.Framework;
using RedisCaching.Core.Tests.Connections;
using RedisCaching.Internal.Codecs;
using StackExchange.Redis;
using static RedisCaching.Core.Tests.Cache.CacheTestSupport;

namespace RedisCaching.Core.Tests.Cache;

/// <summary>
/// What a write allocates (issue 10: the envelope should add next to nothing to a raw serialize+SET), against the raw
/// StackExchange.Redis path measured in the same test: the same serializer into a reused buffer, then
/// <c>StringSetAsync</c> with a TTL. Counted process-wide (continuations run on pool threads), so the fixture runs
/// alone and the bound has some slack for what else the process allocates meanwhile.
/// </summary>
[NonParallelizable]
public class WriteAllocationTests : StandaloneServerFixture
{
    private const int Concurrency = 64;

    // Measured here (memory skipped): raw ~265 B per SET; the cache ~40 B more, sequential or 64 in flight: the
    // continuation StackExchange.Redis's task allocates to reach the pooled wait (an Action, queued to the pool).
    // Before issue 10's profile the cache added ~500 B sequential and ~680 B with 64 in flight (two async state
    // machines, the key string, the buffer writer); each of those alone would break the sequential bound.
    private const int SlackBytes = 96;

    // With 64 in flight under CPU contention (the full CI run: every test project at once on 2 cores) the cache's
    // figure rose to 105-130 B over raw in three runs, against ~40 B alone or in the Core suite by itself, while the
    // sequential case stayed identical; not explained yet (a suspect: more writes still pending when their wait is
    // armed, each then paying a thread-pool hop). This bound still fails the old path, which added ~680 B.
    private const int ConcurrentSlackBytes = 256;

    [TestCase(1)]
    [TestCase(Concurrency)]
    public async Task A_write_allocates_at_most_the_raw_serialize_and_set_plus_a_little(int inFlight)
    {
        var options = Options(Server);
        await using var c = await CreateCoherentAsync(Server, options);
        Assert.That(c.Tier.Mode, Is.EqualTo(CacheCoherenceMode.Tracking), "the usual write path: the tracked connection");
        var database = c.Tier.WriteDatabase; // the connection the cache writes through (RESP2, tracked)
        var serializer = new JsonSerializerProvider(options.JsonSerializerOptions).GetSerializer<string>();
        var value = new string('x', 200);
        var skipMemory = new CacheEntryOptions { Expiration = TimeSpan.FromMinutes(5), Skip = CacheSkip.Memory };
        var keys = new string[inFlight];
        var rawKeys = new RedisKey[inFlight];
        var writers = new ArrayBufferWriter<byte>[inFlight];
        for (var i = 0; i < inFlight; i++)
        {
            keys[i] = "w" + i;
            rawKeys[i] = c.Cache.RedisKeyOf("raw" + i);
            writers[i] = new ArrayBufferWriter<byte>(1024);
        }

        var rawSets = new Task<bool>[inFlight];
        var raw = await BytesPerWriteAsync(inFlight, async () =>
        {
            for (var i = 0; i < inFlight; i++)
            {
                writers[i].ResetWrittenCount();
                serializer.Serialize(value, writers[i]);
                rawSets[i] = database.StringSetAsync(rawKeys[i], writers[i].WrittenMemory, TimeSpan.FromMinutes(5));
            }

            for (var i = 0; i < inFlight; i++)
            {
                await rawSets[i];
            }
        });

        var sets = new ValueTask[inFlight];
        var cached = await BytesPerWriteAsync(inFlight, async () =>
        {
            for (var i = 0; i < inFlight; i++)
            {
                // Stored once and awaited once, below: all are in flight before the first await.
#pragma warning disable CA2012
                sets[i] = c.Cache.SetAsync(keys[i], value, skipMemory);
#pragma warning restore CA2012
            }

            for (var i = 0; i < inFlight; i++)
            {
                await sets[i];
            }
        });

        TestContext.Out.WriteLine($"{inFlight} in flight: raw serialize+SET {raw:F0} B/write, ICache.SetAsync {cached:F0} B/write");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(cached, Is.LessThanOrEqualTo(raw + (inFlight == 1 ? SlackBytes : ConcurrentSlackBytes)), $"a write allocated {cached:F0} B; the raw serialize+SET {raw:F0} B");
            Assert.That((await c.Cache.TryGetAsync<string>(keys[^1], skipMemory)).Value, Is.EqualTo(value), "the writes landed");
        }
    }

    private static async Task<double> BytesPerWriteAsync(int inFlight, Func<Task> batch)
    {
        for (var i = 0; i < 20; i++)
        {
            await batch();
        }

        // The process's allocations, not the thread's (the continuations run on pool threads): anything else running
        // in the process then counts too (another fixture's timers and pingers), so the least of three rounds is taken.
        var batches = inFlight == 1 ? 1000 : 30;
        var least = double.MaxValue;
        for (var round = 0; round < 3; round++)
        {
            var before = GC.GetTotalAllocatedBytes(precise: true);
            for (var i = 0; i < batches; i++)
            {
                await batch();
            }

            least = Math.Min(least, (GC.GetTotalAllocatedBytes(precise: true) - before) / ((double)batches * inFlight));
        }

        return least;
    }
}
