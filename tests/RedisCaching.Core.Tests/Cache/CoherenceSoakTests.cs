using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using NUnit.Framework;
using RedisCaching.Core.Tests.Connections;
using StackExchange.Redis;
using static RedisCaching.Core.Tests.Cache.CacheTestSupport;

namespace RedisCaching.Core.Tests.Cache;

/// <summary>
/// Coherence under everything at once, not one change at a time: eight callers read a few keys through A's memory
/// tier while a single writer, one step after another, has B write them, an outside client delete them, copy
/// entries of ours over them, overwrite them with foreign bytes, let them expire, flush the database, and kill A's
/// connections. Every value A returns is checked against the changes acknowledged before the read began, less the
/// staleness window: never older than the last of them, never another key's value, never a version not yet written.
/// </summary>
public partial class CoherenceSoakTests : StandaloneServerFixture
{
    private static readonly TimeSpan SoakTime = TimeSpan.FromSeconds(8);
    private const int KeyCount = 8;
    private const int Readers = 8;

    /// <summary>
    /// Without the staleness bound, hits rely on invalidations arriving in time: the window is
    /// <see cref="CoherenceTests"/>'s, the delay a loaded CI machine stays under. With the default bound (25 ms) the
    /// window is the bound, which the tier enforces (README, "The staleness bound"), plus 5 ms for the one narrow
    /// window the README names (a thread preempted between taking an invalidation and marking it; 0.3-0.7 ms past the
    /// last change was the most seen here). That includes a TTL shortened from outside (a PEXPIRE): memory keeps the
    /// re-read value only as long as the key's PTTL says, because Redis announces the key's end only when it deletes
    /// it (hits up to ~30 ms past the bound were found by this soak before reads asked for the TTL; README, "A TTL
    /// shortened from outside").
    /// </summary>
    [TestCase(-1, 500)]
    [TestCase(25, 30)]
    public async Task No_read_goes_back_past_an_acknowledged_change_under_writes_deletes_flushes_and_killed_connections(int maxStalenessMs, int windowMs)
    {
        var window = TimeSpan.FromMilliseconds(windowMs);
        var prefix = "soak" + Guid.NewGuid().ToString("N")[..10];

        // Reads coalesce above two in flight, so connections also die under MGETs of several keys.
        await using var a = await CreateCoherentAsync(Server, Options(Server, o =>
        {
            o.Keys.Prefix = prefix;
            o.Redis.ClientName = "soak-a";
            o.CoalesceReadsAbove = 2;
            o.Memory.MaxStaleness = maxStalenessMs < 0 ? Timeout.InfiniteTimeSpan : TimeSpan.FromMilliseconds(maxStalenessMs);
        }));
        await using var b = await CreateCoherentAsync(Server, Options(Server, o =>
        {
            o.Keys.Prefix = prefix;
            o.Redis.ClientName = "soak-b";
            o.ThrowOnRedisFailure = true;
        }));
        var adminOptions = Server.CreateConfigurationOptions();
        adminOptions.ClientName = "soak-admin";
        adminOptions.AllowAdmin = true;
        await using var admin = await ConnectionMultiplexer.ConnectAsync(adminOptions);
        var outside = admin.GetDatabase();

        var seed = Environment.TickCount;
        TestContext.Progress.WriteLine($"soak seed {seed}");
        var histories = Enumerable.Range(0, KeyCount).Select(_ => new KeyHistory()).ToArray();
        var tally = new ReadTally(window);
        using var stop = new CancellationTokenSource();

        var readers = Enumerable.Range(0, Readers).Select(r => Task.Run(() => ReadAsync(a, histories, tally, new Random(seed + r + 1), stop.Token))).ToArray();
        var steps = await WriteAndBreakAsync(a, b, outside, histories, new Random(seed), SoakTime);
        await Task.Delay(window);
        await stop.CancelAsync();
        await Task.WhenAll(readers);

        // Once the changes stop, every key reads as Redis holds it.
        await Task.Delay(window + TimeSpan.FromMilliseconds(100));
        var settled = new List<string>();
        for (var i = 0; i < KeyCount; i++)
        {
            if (histories[i].InDoubt)
            {
                continue;
            }

            var read = await ReadSettledAsync(a, Key(i));
            var expected = histories[i].FinalValue(i);
            if ((read.HasValue ? read.Value : null) != expected)
            {
                settled.Add($"{Key(i)}: read '{(read.HasValue ? read.Value : null)}', Redis holds '{expected}'");
            }
        }

        TestContext.Progress.WriteLine(
            $"{steps}; {tally.Checked} reads checked ({tally.FromMemory} from memory, {tally.Absent} absent, {tally.Stale} marked stale), "
            + $"{tally.WithinWindow} older than the last change but within {windowMs} ms (oldest {tally.OldestWithinWindowMs:F1} ms); "
            + $"A: {a.Tier.InvalidationsReceived} invalidations, {a.Tier.Flushes} flushes, {a.Tier.TimesUnavailable} times unavailable, {a.Tier.LeaseRefusals} lease refusals, {a.Cache.Counters.RedisHits} Redis hits, {a.Cache.Counters.Misses} misses, "
            + $"{a.Cache.Counters.UnreadableEntries} unreadable, {a.Cache.Counters.RedisFailures} Redis failures, {a.Cache.Counters.SkippedWhileOpen} skipped while the breaker was open "
            + $"(now {a.Cache.GetStatistics().CircuitState}, memory {a.Tier.Mode}); keys in doubt {histories.Count(h => h.InDoubt)}");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(tally.Failures, Is.Empty, "reads that went back past an acknowledged change");
            Assert.That(settled, Is.Empty, "reads after the changes stopped");

            // The soak is only worth something if memory answered reads between the changes and the faults happened.
            Assert.That(tally.FromMemory, Is.GreaterThan(1_000), "too few memory hits: the soak did not exercise the memory tier");
            Assert.That(a.Tier.InvalidationsReceived, Is.GreaterThan(100));
            Assert.That(a.Tier.Flushes, Is.GreaterThan(3), "too few flushes reached A");
            Assert.That(a.Tier.TimesUnavailable, Is.GreaterThan(0), "no kill reached A's memory tier");
        }
    }

    /// <summary>A read once A answers normally again: a degraded one (Redis failed, the breaker open, a stale value) is tried again for a while.</summary>
    private static async Task<CacheResult<string>> ReadSettledAsync(CoherentCache a, string key)
    {
        var waited = Stopwatch.StartNew();
        while (true)
        {
            var failuresBefore = a.Cache.Counters.RedisFailures + a.Cache.Counters.SkippedWhileOpen;
            var read = await a.Cache.TryGetAsync<string>(key);
            var degraded = read.IsStale || a.Cache.Counters.RedisFailures + a.Cache.Counters.SkippedWhileOpen != failuresBefore;
            if (!degraded || waited.Elapsed > TimeSpan.FromSeconds(10))
            {
                return read;
            }

            await Task.Delay(50);
        }
    }

    private static string Key(int index) => "k" + index.ToString(CultureInfo.InvariantCulture);

    private static string Value(int index, long version) => string.Create(CultureInfo.InvariantCulture, $"{index}:{version}");

    /// <summary>Reads random keys through A and checks each value against the changes acknowledged before the read began.</summary>
    private static async Task ReadAsync(CoherentCache a, KeyHistory[] histories, ReadTally tally, Random random, CancellationToken stop)
    {
        var reads = 0;
        while (!stop.IsCancellationRequested)
        {
            var index = random.Next(KeyCount);
            var startedAt = Stopwatch.GetTimestamp();
            // Not cancelled by the stop: a read under way finishes and is checked.
            var read = await a.Cache.TryGetAsync<string>(Key(index), cancellationToken: CancellationToken.None);
            tally.Check(index, histories[index], read, startedAt);

            // Memory hits complete at once: let the writer's continuations have a thread now and then.
            if (++reads % 32 == 0)
            {
                await Task.Delay(1, CancellationToken.None);
            }
        }
    }

    /// <summary>One change or fault after another until <paramref name="duration"/> has passed; returns what it did.</summary>
    private static async Task<string> WriteAndBreakAsync(CoherentCache a, CoherentCache b, IDatabase outside, KeyHistory[] histories, Random random, TimeSpan duration)
    {
        var counts = new SortedDictionary<string, int>(StringComparer.Ordinal);
        var clock = Stopwatch.StartNew();

        // Flushes of A's memory (a FLUSHDB, killed connections) come about once a second, not at random: each drops
        // whatever a lost or late invalidation left behind, so more often than the window they would hide it.
        var nextFault = TimeSpan.FromSeconds(0.5);
        var faults = 0;
        while (clock.Elapsed < duration)
        {
            var index = random.Next(KeyCount);
            var history = histories[index];
            var redisKey = a.Cache.RedisKeyOf(Key(index));
            var roll = random.Next(100);
            string step;
            if (clock.Elapsed >= nextFault)
            {
                nextFault = clock.Elapsed + TimeSpan.FromMilliseconds(random.Next(800, 1200));
                if (faults++ % 2 == 0)
                {
                    // Both sides first, then the tier's, then the cache's, and again: every run kills the tier's.
                    var which = 2 - (faults / 2 % 3);
                    step = await KillConnectionsOfAsync(outside, "soak-a", which) ? "A's connections killed (its tier's among them)" : "A's cache connection killed";
                }
                else
                {
                    step = "outside FLUSHDB";
                    foreach (var each in histories)
                    {
                        each.Issue();
                    }

                    await outside.ExecuteAsync("FLUSHDB");
                    foreach (var each in histories)
                    {
                        each.Removed(step);
                    }
                }
            }
            else if (roll < 70)
            {
                step = "B writes";
                var version = history.Issue();
                await WriteThroughB(b, Key(index), Value(index, version), history, version);
            }
            else if (roll < 76)
            {
                step = "outside DEL";
                history.Issue();
                await outside.KeyDeleteAsync(redisKey);
                history.Removed(step);
            }
            else if (roll < 84)
            {
                // An entry of ours written by a program outside the library: B writes it under another key, COPY puts it here.
                step = "outside COPY of an entry";
                var version = history.Issue();
                var scratch = "scratch" + index.ToString(CultureInfo.InvariantCulture);
                await WriteThroughB(b, scratch, Value(index, version), history, version: null);
                if (!history.InDoubt)
                {
                    var copied = await outside.KeyCopyAsync(a.Cache.RedisKeyOf(scratch), redisKey, replace: true);
                    if (copied)
                    {
                        history.Written(version, step);
                    }
                    else
                    {
                        // A FLUSHDB cannot come between (one step at a time), so only a lost scratch write explains it.
                        history.Removed(step);
                    }
                }
            }
            else if (roll < 88)
            {
                step = "outside SET of foreign bytes";
                history.Issue();
                await outside.StringSetAsync(redisKey, "not an entry of ours");
                history.Removed(step);
            }
            else if (roll < 92)
            {
                // Gone once it expires; nothing touches the key before then (the next step waits), so no write clears the TTL.
                step = "outside PEXPIRE 5 ms";
                history.Issue();
                await outside.ExecuteAsync("PEXPIRE", redisKey, "5");
                await Task.Delay(10);
                history.Removed(step);
            }
            else
            {
                step = "pause";
                await Task.Delay(random.Next(1, 5));
            }

            counts[step] = counts.GetValueOrDefault(step) + 1;
        }

        return string.Join(", ", counts.Select(pair => $"{pair.Value} x {pair.Key}"));
    }

    /// <summary>A write through B; a failure leaves the key in doubt (it may still land later), and it is checked no more.</summary>
    private static async Task WriteThroughB(CoherentCache b, string key, string value, KeyHistory history, long? version)
    {
        try
        {
            await b.Cache.SetAsync(key, value);
            if (version is { } written)
            {
                history.Written(written, "B writes");
            }
        }
        catch (CacheUnavailableException)
        {
            history.MarkInDoubt();
        }
    }

    /// <summary>
    /// Kills connections of instance <paramref name="clientName"/>: its cache's (named <paramref name="clientName"/>,
    /// where its Redis reads go) and its memory tier's (<c>{clientName}:l1:{id}</c>, where the invalidations come), one
    /// side or both (<paramref name="which"/>: 0 the cache's, 1 the tier's, 2 both); returns whether the tier's were among them.
    /// </summary>
    private static async Task<bool> KillConnectionsOfAsync(IDatabase outside, string clientName, int which)
    {
        var list = (string?)await outside.ExecuteAsync("CLIENT", "LIST") ?? "";
        var clients = list.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(line => line.Split(' '))
            .Select(fields => (Id: Field(fields, "id="), Name: Field(fields, "name=")))
            .Where(client => client.Id is not null && (client.Name == clientName || client.Name?.StartsWith(clientName + ":l1:", StringComparison.Ordinal) == true))
            .ToList();
        var tierKilled = false;
        foreach (var (id, name) in clients)
        {
            var isTier = name != clientName;
            if (which == 2 || (which == 1) == isTier)
            {
                await outside.ExecuteAsync("CLIENT", "KILL", "ID", id!);
                tierKilled |= isTier;
            }
        }

        return tierKilled;
    }

    private static string? Field(string[] fields, string prefix) =>
        fields.FirstOrDefault(field => field.StartsWith(prefix, StringComparison.Ordinal))?[prefix.Length..];
}
