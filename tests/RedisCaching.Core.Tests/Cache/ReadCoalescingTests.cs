using System;
using System.Diagnostics;
using System.Linq;
using System.Text.RegularExpressions;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.Logging.Abstractions;
using NUnit.Framework;
using RedisCaching.Core.Tests.Connections;
using static RedisCaching.Core.Tests.Cache.CacheTestSupport;

namespace RedisCaching.Core.Tests.Cache;

/// <summary>
/// Reads beyond <see cref="RedisCachingOptions.CoalesceReadsAbove"/> in flight go together in one <c>MGET</c>
/// (ReadCoalescer): each still gets its own key's value, a failure fails the batch's reads as Redis failures (never
/// another key's value), and a waiting read keeps its budget and its cancellation. The server's own command counts
/// say whether an <c>MGET</c> was sent (this fixture's tests run one at a time on its server).
/// </summary>
public class ReadCoalescingTests : StandaloneServerFixture
{
    private static readonly CacheEntryOptions RedisOnly = new() { Skip = CacheSkip.Memory };

    [Test]
    public async Task Concurrent_reads_beyond_the_limit_share_an_MGET_and_each_gets_its_own_value()
    {
        var options = Options(Server, o => o.CoalesceReadsAbove = 1);
        await using var connection = RedisConnectionFactory.Create(options.Redis);
        await using var cache = CreateCache(options, connection);
        const int Keys = 300;
        for (var i = 0; i < Keys; i++)
        {
            // Every third key is absent: a miss inside a batch must stay a miss.
            if (i % 3 != 0)
            {
                await cache.SetAsync("k" + i, "v" + i, RedisOnly);
            }
        }

        var mgetsBefore = await MgetCallsAsync();
        var wrong = 0;
        for (var round = 0; round < 5; round++)
        {
            var reads = Enumerable.Range(0, Keys).Select(i => cache.TryGetAsync<string>("k" + i, RedisOnly).AsTask()).ToArray();
            var results = await Task.WhenAll(reads);
            for (var i = 0; i < Keys; i++)
            {
                var expected = i % 3 != 0 ? "v" + i : null;
                wrong += (results[i].HasValue ? results[i].Value : null) == expected && results[i].Tier is CacheTier.Redis or CacheTier.None ? 0 : 1;
            }
        }

        var mgets = await MgetCallsAsync() - mgetsBefore;
        TestContext.Out.WriteLine($"{cache.Coalescer!.CoalescedReads} of {5 * Keys} reads coalesced into {cache.Coalescer.Batches} MGETs (the server counted {mgets})");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(wrong, Is.Zero, "a read returned another value than its own key's (or missed a present key)");
            Assert.That(mgets, Is.GreaterThan(0), "no MGET reached the server");
            Assert.That(cache.Coalescer.CoalescedReads, Is.GreaterThan(Keys), "too few reads were coalesced to tell");
            Assert.That(mgets, Is.EqualTo(cache.Coalescer.Batches));
        }
    }

    [Test]
    public async Task With_coalescing_off_every_read_sends_its_own_GET()
    {
        var options = Options(Server, o => o.CoalesceReadsAbove = 0);
        await using var connection = RedisConnectionFactory.Create(options.Redis);
        await using var cache = CreateCache(options, connection);
        await cache.SetAsync("k", "v", RedisOnly);
        var mgetsBefore = await MgetCallsAsync();
        var results = await Task.WhenAll(Enumerable.Range(0, 200).Select(_ => cache.TryGetAsync<string>("k", RedisOnly).AsTask()));
        using (Assert.EnterMultipleScope())
        {
            Assert.That(results.All(r => r.Value == "v"), Is.True);
            Assert.That(await MgetCallsAsync() - mgetsBefore, Is.Zero);
            Assert.That(cache.Coalescer, Is.Null);
        }
    }

    [Test]
    public async Task Connections_killed_while_batches_are_in_flight_never_hand_a_read_another_keys_value()
    {
        // The breaker stays closed (each read must reach Redis), and reads are misses when Redis fails.
        var options = Options(Server, o => (o.CoalesceReadsAbove, o.CircuitBreakerThreshold) = (2, 1_000_000));
        await using var connection = RedisConnectionFactory.Create(options.Redis);
        await using var cache = CreateCache(options, connection);
        await using var killer = await StackExchange.Redis.ConnectionMultiplexer.ConnectAsync($"{Server.Host}:{Server.Port},allowAdmin=true");
        var killerServer = killer.GetServer(Server.Host, Server.Port);
        const int Keys = 64;
        for (var i = 0; i < Keys; i++)
        {
            await cache.SetAsync("k" + i, "v" + i, RedisOnly);
        }

        // The kill leaves from this process a random delay after the reads, so over the rounds it lands
        // before, during and after the batches' MGETs (a redis-cli process would start too late: the reads are done).
        var (wrong, failed, served, rounds) = (0, 0, 0, 0);
        var random = new Random(7);

        // Adapted to the box: longer after a round the kill failed whole, shorter after one it missed.
        var maxDelayMicroseconds = 2000;
        var stopwatch = Stopwatch.StartNew();
        while ((cache.Coalescer!.FailedBatches == 0 || served == 0 || rounds < 20) && rounds < 400 && stopwatch.Elapsed < TimeSpan.FromSeconds(40))
        {
            rounds++;

            // Each round starts on a live connection (the last round's kill is followed by a reconnect).
            var reconnect = Stopwatch.StartNew();
            while (!(await cache.TryGetAsync<string>("k0", RedisOnly)).HasValue && reconnect.Elapsed < TimeSpan.FromSeconds(5))
            {
                await Task.Delay(5);
            }

            var reads = Enumerable.Range(0, Keys).Select(i => cache.TryGetAsync<string>("k" + i, RedisOnly).AsTask()).ToArray();
            var delay = Stopwatch.StartNew();
            var microseconds = random.Next(0, maxDelayMicroseconds);
            while (delay.Elapsed.TotalMicroseconds < microseconds)
            {
                Thread.SpinWait(20);
            }

            var killed = killerServer.ExecuteAsync("CLIENT", "KILL", "TYPE", "normal", "SKIPME", "yes");
            var results = await Task.WhenAll(reads);
            await killed;
            var servedBefore = served;
            for (var i = 0; i < Keys; i++)
            {
                if (!results[i].HasValue)
                {
                    failed++;
                }
                else if (results[i].Value == "v" + i)
                {
                    served++;
                }
                else
                {
                    wrong++;
                }
            }

            maxDelayMicroseconds = (served - servedBefore) switch
            {
                0 => Math.Min(maxDelayMicroseconds * 2, 50_000),
                Keys => Math.Max(maxDelayMicroseconds / 2, 200),
                _ => maxDelayMicroseconds,
            };
        }

        TestContext.Out.WriteLine(
            $"{rounds} rounds: {served} reads served their own value, {failed} failed (misses), {wrong} another key's; " +
            $"{cache.Coalescer.Batches} MGETs, {cache.Coalescer.FailedBatches} of them failed");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(wrong, Is.Zero, "a read was handed another key's value");
            Assert.That(cache.Coalescer.FailedBatches, Is.GreaterThan(0), "no kill landed on an MGET in flight: the test could not tell");
            Assert.That(served, Is.GreaterThan(0));
        }
    }

    [Test]
    public async Task Where_the_server_refuses_MGET_the_reads_go_alone_and_coalescing_stops()
    {
        Assert.That(await Server.RunCliAsync("ACL", "SETUSER", "nomget", "on", ">nomget-pw", "~*", "&*", "+@all", "-mget"), Is.EqualTo("OK"));
        var options = Options(Server, o => (o.CoalesceReadsAbove, o.Redis.User, o.Redis.Password) = (1, "nomget", "nomget-pw"));
        await using var connection = RedisConnectionFactory.Create(options.Redis);
        await using var cache = CreateCache(options, connection);
        const int Keys = 64;
        for (var i = 0; i < Keys; i++)
        {
            await cache.SetAsync("k" + i, "v" + i, RedisOnly);
        }

        var first = await Task.WhenAll(Enumerable.Range(0, Keys).Select(i => cache.TryGetAsync<string>("k" + i, RedisOnly).AsTask()));
        var batchesAfterRefusal = cache.Coalescer!.Batches;
        var second = await Task.WhenAll(Enumerable.Range(0, Keys).Select(i => cache.TryGetAsync<string>("k" + i, RedisOnly).AsTask()));
        TestContext.Out.WriteLine($"{batchesAfterRefusal} MGET(s) refused, then {cache.Coalescer.Batches - batchesAfterRefusal} more");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(Enumerable.Range(0, Keys).All(i => first[i].Value == "v" + i), Is.True, "a read of the refused batch did not get its value");
            Assert.That(Enumerable.Range(0, Keys).All(i => second[i].Value == "v" + i), Is.True);
            Assert.That(batchesAfterRefusal, Is.GreaterThan(0), "no MGET was tried: the test could not tell");
            Assert.That(cache.Coalescer.Batches, Is.EqualTo(batchesAfterRefusal), "coalescing went on after the refusal");
            Assert.That(cache.Coalescer.FailedBatches, Is.Zero, "a refusal counted as a Redis failure");
        }
    }

    [Test]
    public async Task A_read_waiting_for_a_batch_keeps_its_budget_and_its_cancellation()
    {
        var budget = TimeSpan.FromMilliseconds(300);
        var options = Options(Server, o => (o.CoalesceReadsAbove, o.RedisTimeout, o.CircuitBreakerThreshold) = (1, budget, 1_000_000));
        await using var connection = RedisConnectionFactory.Create(options.Redis);
        await using var cache = CreateCache(options, connection);
        await cache.SetAsync("k", "v", RedisOnly);
        await cache.SetAsync("other", "o", RedisOnly);

        // The server holds every client's commands: the first read's GET stalls, and every later read waits for a batch behind it.
        await Server.RunCliAsync("CLIENT", "PAUSE", "1500", "ALL");
        var first = cache.TryGetAsync<string>("k", RedisOnly).AsTask();
        using var cancel = new CancellationTokenSource();
        var stopwatch = Stopwatch.StartNew();
        var waiting = Enumerable.Range(0, 20).Select(_ => Timed(cache.TryGetAsync<string>("other", RedisOnly).AsTask())).ToArray();
        var cancelled = Timed(cache.TryGetAsync<string>("other", RedisOnly, cancel.Token).AsTask());
        cancel.CancelAfter(50);
        var cancelledOutcome = await cancelled;
        var waited = await Task.WhenAll(waiting);
        await first;
        await Task.Delay(1500 - (int)Math.Min(1500, stopwatch.ElapsedMilliseconds) + 100);

        // Once the pause ended, batches run again.
        var after = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => cache.TryGetAsync<string>("other", RedisOnly).AsTask()));
        var slowest = waited.Max(w => w.Took);
        TestContext.Out.WriteLine($"the waiting reads returned within {slowest.TotalMilliseconds:0} ms (budget {budget.TotalMilliseconds:0}); the cancelled one after {cancelledOutcome.Took.TotalMilliseconds:0} ms");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(waited.All(w => w.Failure is null && w.Result is { HasValue: false }), Is.True, "a waiting read did not end as a miss");
            Assert.That(slowest, Is.LessThan(budget + TimeSpan.FromMilliseconds(700)), "a waiting read outlived its budget");
            Assert.That(cancelledOutcome.Failure, Is.InstanceOf<OperationCanceledException>());
            Assert.That(cancelledOutcome.Took, Is.LessThan(budget), "the cancelled read waited for its budget instead");
            Assert.That(after.All(r => r.Value == "o"), Is.True, "reads did not recover once the pause ended");
            Assert.That(cache.Coalescer!.CoalescedReads, Is.GreaterThanOrEqualTo(20), "the waiting reads were not coalesced");
        }
    }

    [Test]
    public async Task Batches_stuck_past_the_budget_do_not_hold_up_later_reads()
    {
        // One coalescer, two servers: batches stuck on a paused one (as on a primary that died, whose commands
        // StackExchange.Redis fails only at its own timeout) must not keep reads on the other (the new primary) waiting.
        var budget = TimeSpan.FromMilliseconds(200);
        await using var healthy = await RedisCaching.Testing.RedisTestServers.StartAsync();
        await using var stuck = await StackExchange.Redis.ConnectionMultiplexer.ConnectAsync($"127.0.0.1:{Server.Port}");
        await using var alive = await StackExchange.Redis.ConnectionMultiplexer.ConnectAsync($"127.0.0.1:{healthy.Port}");
        await alive.GetDatabase().StringSetAsync("k", "v");
        var coalescer = new Internal.Engine.ReadCoalescer(separateLimit: 1);

        await Server.RunCliAsync("CLIENT", "PAUSE", "3000", "ALL");
        var stalled = Enumerable.Range(0, 12).Select(_ => Timed(coalescer.GetAsync(stuck.GetDatabase(), "k", budget, TimeProvider.System, CancellationToken.None))).ToArray();
        var givenUp = await Task.WhenAll(stalled);
        await Task.Delay(budget);

        var later = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Timed(coalescer.GetAsync(alive.GetDatabase(), "k", budget, TimeProvider.System, CancellationToken.None))));
        TestContext.Out.WriteLine($"stalled reads gave up after {givenUp.Max(r => r.Took).TotalMilliseconds:0} ms; later reads on the other server: {string.Join(", ", later.Select(r => r.Failure?.GetType().Name ?? $"{r.Took.TotalMilliseconds:0} ms"))}");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(givenUp.All(r => r.Failure is TimeoutException), Is.True, "the stalled reads time out at their budget");
            Assert.That(later.All(r => r.Failure is null && r.Value == "v"), Is.True, "a read behind stuck batches waited out its budget");
        }
    }

    [Test]
    public async Task A_server_that_hangs_gets_at_most_twice_the_limit_of_commands_from_one_multiplexer()
    {
        // Waves of reads, each after the last wave gave up: the commands already out hold the multiplexer's slots until
        // the server answers, so later waves wait out their budget without sending (a full batch may go beyond the
        // limit, up to twice it). The server counts what it received once the pause ends.
        const int Limit = 2;
        var budget = TimeSpan.FromMilliseconds(200);
        await using var multiplexer = await StackExchange.Redis.ConnectionMultiplexer.ConnectAsync($"127.0.0.1:{Server.Port}");
        await multiplexer.GetDatabase().StringSetAsync("k", "v");
        var coalescer = new Internal.Engine.ReadCoalescer(separateLimit: Limit);
        var readsBefore = await ReadCallsAsync();

        await Server.RunCliAsync("CLIENT", "PAUSE", "2000", "ALL");
        var pausedAt = Stopwatch.StartNew();
        var outcomes = new System.Collections.Generic.List<(string? Value, Exception? Failure, TimeSpan Took)>();
        for (var wave = 0; wave < 4; wave++)
        {
            outcomes.AddRange(await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => Timed(coalescer.GetAsync(multiplexer.GetDatabase(), "k", budget, TimeProvider.System, CancellationToken.None)))));
            await Task.Delay(100);
        }

        await Task.Delay(TimeSpan.FromMilliseconds(2000) - pausedAt.Elapsed + TimeSpan.FromMilliseconds(300));
        var sent = await SettledReadCallsAsync(readsBefore);
        var after = await Timed(coalescer.GetAsync(multiplexer.GetDatabase(), "k", budget, TimeProvider.System, CancellationToken.None));
        TestContext.Out.WriteLine($"{outcomes.Count} reads during the pause, {outcomes.Count(o => o.Failure is TimeoutException)} timed out; the server received {sent} GET/MGET commands; after it: {after.Value ?? after.Failure?.GetType().Name}");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(outcomes.All(o => o.Failure is TimeoutException), Is.True, "a read during the pause did not time out at its budget");
            Assert.That(sent, Is.InRange(1, 2 * Limit), "commands beyond twice the limit went to a server that hangs");
            Assert.That(after.Value, Is.EqualTo("v"), "reads did not recover once the pause ended");
        }
    }

    [Test]
    public async Task Through_the_cache_a_GET_keeps_its_slot_until_the_server_answers_not_until_its_caller_gives_up()
    {
        // The cache's own path: a read that sends a GET of its own gives up at its budget, but its command is still on
        // the server. Counted until the GET completes, the waves after the first add nothing to a server that hangs.
        // StackExchange.Redis's command timeout is set past the pause: once it fails a command itself, the command
        // counts as gone (this process can no longer tell), and a slot is free again.
        const int Limit = 2;
        var budget = TimeSpan.FromMilliseconds(200);
        var options = Options(Server, o =>
        {
            (o.CoalesceReadsAbove, o.RedisTimeout, o.CircuitBreakerThreshold) = (Limit, budget, 1_000_000);
            o.Redis.CommandTimeout = TimeSpan.FromSeconds(5);
        });
        await using var connection = RedisConnectionFactory.Create(options.Redis);
        await using var cache = CreateCache(options, connection);
        await cache.SetAsync("k", "v", RedisOnly);
        var readsBefore = await ReadCallsAsync();

        await Server.RunCliAsync("CLIENT", "PAUSE", "2000", "ALL");
        var pausedAt = Stopwatch.StartNew();
        var outcomes = new System.Collections.Generic.List<(CacheResult<string>? Result, Exception? Failure, TimeSpan Took)>();
        for (var wave = 0; wave < 4; wave++)
        {
            outcomes.AddRange(await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => Timed(cache.TryGetAsync<string>("k", RedisOnly).AsTask()))));
            await Task.Delay(100);
        }

        await Task.Delay(TimeSpan.FromMilliseconds(2000) - pausedAt.Elapsed + TimeSpan.FromMilliseconds(300));
        var sent = await SettledReadCallsAsync(readsBefore);
        var after = await cache.TryGetAsync<string>("k", RedisOnly);
        TestContext.Out.WriteLine($"{outcomes.Count} reads during the pause, {outcomes.Count(o => o.Result is { HasValue: false })} misses; the server received {sent} GET/MGET commands; after it: {after.Value}");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(outcomes.All(o => o.Failure is null && o.Result is { HasValue: false }), Is.True, "a read during the pause did not end as a miss");
            Assert.That(sent, Is.InRange(1, 2 * Limit), "commands beyond twice the limit went to a server that hangs");
            Assert.That(after.Value, Is.EqualTo("v"), "reads did not recover once the pause ended");
        }
    }

    [Test]
    public async Task Reads_whose_callers_left_do_not_count_towards_a_full_batch()
    {
        // Limit 1: one read in flight on a paused server, seven cancelled while they wait, then one live read. Counted
        // with the seven, eight would make a full batch and send the live read past the limit; without them it waits.
        var budget = TimeSpan.FromMilliseconds(600);
        await using var multiplexer = await StackExchange.Redis.ConnectionMultiplexer.ConnectAsync($"127.0.0.1:{Server.Port}");
        await multiplexer.GetDatabase().StringSetAsync("k", "v");
        var coalescer = new Internal.Engine.ReadCoalescer(separateLimit: 1);
        Assert.That(Internal.Engine.ReadCoalescer.MinFullBatch, Is.EqualTo(8), "the test's counts assume a full batch of 8");
        var readsBefore = await ReadCallsAsync();

        await Server.RunCliAsync("CLIENT", "PAUSE", "1200", "ALL");
        var pausedAt = Stopwatch.StartNew();
        var first = Timed(coalescer.GetAsync(multiplexer.GetDatabase(), "k", budget, TimeProvider.System, CancellationToken.None));
        using var leave = new CancellationTokenSource();
        var left = Enumerable.Range(0, 7).Select(_ => Timed(coalescer.GetAsync(multiplexer.GetDatabase(), "k", budget, TimeProvider.System, leave.Token))).ToArray();
        await leave.CancelAsync();
        var leftOutcomes = await Task.WhenAll(left);
        var live = await Timed(coalescer.GetAsync(multiplexer.GetDatabase(), "k", budget, TimeProvider.System, CancellationToken.None));
        await first;

        await Task.Delay(TimeSpan.FromMilliseconds(1200) - pausedAt.Elapsed + TimeSpan.FromMilliseconds(300));
        var sent = await SettledReadCallsAsync(readsBefore);
        TestContext.Out.WriteLine($"the server received {sent} GET/MGET commands; the live read: {live.Failure?.GetType().Name ?? live.Value}");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(leftOutcomes.All(o => o.Failure is OperationCanceledException), Is.True, "a cancelled read did not end cancelled");
            Assert.That(live.Failure, Is.InstanceOf<TimeoutException>(), "the live read should have waited behind the read in flight");
            Assert.That(sent, Is.EqualTo(1), "a read went past the limit in a batch made full by reads whose callers left");
        }
    }

    private static async Task<(string? Value, Exception? Failure, TimeSpan Took)> Timed(ValueTask<StackExchange.Redis.Lease<byte>?> read)
    {
        var stopwatch = Stopwatch.StartNew();
        try
        {
            using var lease = await read;
            return (lease is null ? null : System.Text.Encoding.UTF8.GetString(lease.Span), null, stopwatch.Elapsed);
        }
        catch (Exception ex)
        {
            return (null, ex, stopwatch.Elapsed);
        }
    }

    private static async Task<(CacheResult<string>? Result, Exception? Failure, TimeSpan Took)> Timed(Task<CacheResult<string>> read)
    {
        var stopwatch = Stopwatch.StartNew();
        try
        {
            return (await read, null, stopwatch.Elapsed);
        }
        catch (Exception ex)
        {
            return (null, ex, stopwatch.Elapsed);
        }
    }

    /// <summary>GET and MGET commands the server has run, once the count stopped changing (commands held by a pause run after it).</summary>
    private async Task<long> SettledReadCallsAsync(long before)
    {
        var last = await ReadCallsAsync();
        for (var i = 0; i < 20; i++)
        {
            await Task.Delay(50);
            var now = await ReadCallsAsync();
            if (now == last)
            {
                break;
            }

            last = now;
        }

        return last - before;
    }

    private async Task<long> ReadCallsAsync()
    {
        var stats = await Server.RunCliAsync("INFO", "commandstats");
        return Calls(stats, "get") + Calls(stats, "mget");

        static long Calls(string stats, string command)
        {
            var match = Regex.Match(stats, $@"cmdstat_{command}:calls=(\d+)");
            return match.Success ? long.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) : 0;
        }
    }

    private async Task<long> MgetCallsAsync()
    {
        var stats = await Server.RunCliAsync("INFO", "commandstats");
        var match = Regex.Match(stats, @"cmdstat_mget:calls=(\d+)");
        return match.Success ? long.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) : 0;
    }
}
