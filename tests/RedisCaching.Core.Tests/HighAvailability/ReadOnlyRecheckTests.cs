using System;
using System.Diagnostics;
using System.Threading.Tasks;
using NUnit.Framework;
using RedisCaching.Core.Tests.Connections;
using static RedisCaching.Core.Tests.Cache.CacheTestSupport;

namespace RedisCaching.Core.Tests.HighAvailability;

/// <summary>
/// The re-check of the roles a write answered READONLY waits for before it is sent again (RedisCache.ReadOnly.cs):
/// it must have started after the reply (one started before may have read the old roles), and re-checks start at
/// most once per 500 ms, so a write refused again and again is paced, not sent in a hot loop. Against a real
/// multiplexer (the re-check is its ConfigureAsync on a standalone server).
/// </summary>
public sealed class ReadOnlyRecheckTests : StandaloneServerFixture
{
    [Test]
    public async Task A_write_refused_after_a_recheck_started_waits_for_the_next_one_which_starts_no_sooner_than_500_ms_later()
    {
        var options = Options(Server);
        await using var connection = RedisConnectionFactory.Create(options.Redis);
        await using var cache = CreateCache(options, connection);
        var multiplexer = await connection.GetMultiplexerAsync();

        var clock = Stopwatch.StartNew();
        var before = cache.ReadOnlyRechecksStarted;
        var first = cache.ReconfigureAfterReadOnly(multiplexer, before);
        var joined = cache.ReconfigureAfterReadOnly(multiplexer, before);
        await first;
        var startedAfterFirst = cache.ReadOnlyRechecksStarted;

        // A reply that came after the first re-check started (it is complete now): the next one, 500 ms after it.
        var next = cache.ReconfigureAfterReadOnly(multiplexer, startedAfterFirst);
        var joinedNext = cache.ReconfigureAfterReadOnly(multiplexer, startedAfterFirst);
        var nextWasPending = !next.IsCompleted;
        await next;
        var nextDoneAt = clock.Elapsed;

        // A reply from before that re-check started: the one that is done already will do.
        var done = cache.ReconfigureAfterReadOnly(multiplexer, startedAfterFirst);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(startedAfterFirst - before, Is.EqualTo(1), "one re-check for the replies that came before it");
            Assert.That(joined, Is.SameAs(first), "a reply from before the re-check started joins it");
            Assert.That(next, Is.Not.SameAs(first), "a reply from after the first re-check started does not settle for it");
            Assert.That(nextWasPending, Is.True, "the next re-check waits for the interval");
            Assert.That(joinedNext, Is.SameAs(next), "the writes refused meanwhile share one queued re-check");
            Assert.That(nextDoneAt, Is.GreaterThanOrEqualTo(TimeSpan.FromMilliseconds(490)), "re-checks start at most once per 500 ms");
            Assert.That(cache.ReadOnlyRechecksStarted - startedAfterFirst, Is.EqualTo(1));
            Assert.That(done, Is.SameAs(next));
            Assert.That(done.IsCompleted, Is.True);
        }
    }
}
