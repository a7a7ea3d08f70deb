using System.Threading.Tasks;
using NUnit.Framework;

namespace RedisCaching.Invalidation.Tests;

/// <summary>
/// The documented limit of SCAN: it returns every key that exists for the whole scan; a key created while it runs may
/// or may not be returned. So a pattern invalidation removes everything that existed before the call, and a matching
/// key written during the run may survive it (the fix: run it again, or write such keys after the run).
/// </summary>
public class ScanRaceTests : ServerFixture
{
    [Test]
    public async Task Keys_present_for_the_whole_run_are_removed_and_keys_created_during_it_may_survive()
    {
        var prefix = Waits.NewPrefix();
        await using var app = await CacheInstance.StartAsync(Server, prefix);
        await FillAsync(prefix, "old", 20_000);
        var written = false;
        var db = Raw.GetDatabase();

        // Halfway through the scan, 500 new matching keys appear (written from another connection, as another app
        // instance would). SCAN visits the hash table in buckets: those that land in buckets it already passed are not
        // returned. (The progress callback runs on the run's own thread, between batches.)
        var progress = new Progress(p =>
        {
            if (!written && p.KeysMatched >= 10_000)
            {
                written = true;
                for (var i = 0; i < 500; i++)
                {
                    db.StringSet($"{prefix}:new:{i}", "v");
                }
            }
        });
        var removed = await app.Invalidator.InvalidateByPatternAsync("*", new PatternInvalidationOptions { ScanCount = 500, ProgressInterval = System.TimeSpan.Zero }, progress);
        Assert.That(written, Is.True, "the new keys were written during the run");

        var oldLeft = await CountAsync(prefix + ":old:*");
        var newLeft = await CountAsync(prefix + ":new:*");
        TestContext.Out.WriteLine($"removed {removed}; of 500 keys written during the run, {newLeft} survived it");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(oldLeft, Is.Zero, "every key present for the whole run is removed");
            Assert.That(newLeft, Is.GreaterThan(0), "SCAN missed none of the keys created mid-run (possible in principle, but with 500 keys halfway it means the test did not race)");
            Assert.That(removed, Is.EqualTo(20_000 + 500 - newLeft));
        }

        // Running it again takes the survivors.
        Assert.That(await app.Invalidator.InvalidateByPatternAsync("*"), Is.EqualTo(newLeft));
    }

    private sealed class Progress(System.Action<PatternInvalidationProgress> report) : System.IProgress<PatternInvalidationProgress>
    {
        public void Report(PatternInvalidationProgress value) => report(value);
    }
}
