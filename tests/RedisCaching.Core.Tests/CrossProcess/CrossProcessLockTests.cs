using System;
using System.Diagnostics;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using NUnit.Framework;
using RedisCaching.Testing;
using RedisCaching.Core.Tests.Connections;
using static RedisCaching.Core.Tests.Cache.CacheTestSupport;

namespace RedisCaching.Core.Tests.CrossProcess;

/// <summary>The stampede lock between real OS processes (this assembly started again as <see cref="LockProbe"/>).</summary>
public class CrossProcessLockTests : StandaloneServerFixture
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);

    [Test]
    public async Task Three_processes_and_this_one_on_a_cold_key_run_the_factory_once()
    {
        var options = Options(Server);
        var probes = Enumerable.Range(0, 3)
            .Select(_ => TestProcess.Start(typeof(LockProbe).Assembly.Location, LockProbe.Arguments(Server.Host, Server.Port, options.Keys.Prefix, "cold", lockTimeoutMs: 30_000, factoryMs: 2_000, redisTimeoutMs: 2_000)))
            .ToArray();
        try
        {
            await using var connection = RedisConnectionFactory.Create(options.Redis);
            var cache = CreateCache(options, connection);
            await Task.WhenAll(probes.Select(p => p.WaitForLineAsync("ready", StartTimeout)));

            var localRuns = 0;
            await Task.WhenAll(probes.Select(p => p.SendAsync("go")));
            var local = await cache.GetOrSetAsync("cold", 0, async (_, _, ct) =>
            {
                Interlocked.Increment(ref localRuns);
                await Task.Delay(2_000, ct);
                return "from-the-test-process";
            }, new CacheEntryOptions { DistributedLockTimeout = TimeSpan.FromSeconds(30) });
            var remote = await Task.WhenAll(probes.Select(p => p.WaitForLineAsync("result", StartTimeout)));

            var values = remote.Select(line => line.Split(' ')[2]).Append(local.Value).ToArray();
            var factoryRuns = localRuns + probes.Sum(p => p.Lines.Count(line => line == "factory"));
            var acquired = cache.LockCounters.Acquired + remote.Sum(line => Counter(line, "acquired"));
            var waits = cache.LockCounters.Waits + remote.Sum(line => Counter(line, "waits"));
            TestContext.Out.WriteLine($"factory runs across 4 processes: {factoryRuns}; locks taken {acquired}, waits {waits}; {string.Join("; ", remote)}; local: {local.Tier} {local.Value}");
            using (Assert.EnterMultipleScope())
            {
                Assert.That(factoryRuns, Is.EqualTo(1));
                Assert.That(values.Distinct().Count(), Is.EqualTo(1), "every process got the one value");
                // Every process went through the lock: it took it, or waited for the holder, or both (a waiter woken by
                // the release takes the free lock and finds the value; the factory still ran once).
                Assert.That(remote.Select(line => Counter(line, "acquired") + Counter(line, "waits")), Is.All.GreaterThanOrEqualTo(1));
                Assert.That(cache.LockCounters.Acquired + cache.LockCounters.Waits, Is.GreaterThanOrEqualTo(1));
                Assert.That(waits, Is.GreaterThanOrEqualTo(1), "another process overlapped the factory and waited for it (so a missing lock would have shown)");
            }
        }
        finally
        {
            foreach (var probe in probes)
            {
                await probe.DisposeAsync();
            }
        }
    }

    private static long Counter(string resultLine, string name) =>
        long.Parse(resultLine.Split(' ').Single(part => part.StartsWith(name + "=", StringComparison.Ordinal))[(name.Length + 1)..], System.Globalization.CultureInfo.InvariantCulture);

    [Test]
    public async Task A_holder_process_killed_mid_factory_delays_the_others_at_most_its_locks_lifetime()
    {
        // The probe's lock lives its wait (1 s) plus two Redis budgets (2 x 250 ms): 1.5 s.
        var options = Options(Server);
        await using var probe = TestProcess.Start(typeof(LockProbe).Assembly.Location, LockProbe.Arguments(Server.Host, Server.Port, options.Keys.Prefix, "orphaned", lockTimeoutMs: 1_000, factoryMs: 120_000, redisTimeoutMs: 250));
        await probe.WaitForLineAsync("ready", StartTimeout);
        await probe.SendAsync("go");
        await probe.WaitForLineAsync("factory", StartTimeout);
        await probe.KillAsync();
        var killed = Stopwatch.StartNew();

        await using var connection = RedisConnectionFactory.Create(options.Redis);
        var cache = CreateCache(options, connection);
        Assert.That(await Server.RunCliAsync("EXISTS", cache.LockKeyOf("orphaned")), Is.EqualTo("1"), "the dead holder left its lock behind");
        var result = await cache.GetOrSetAsync("orphaned", 0, (_, _, _) => ValueTask.FromResult("after-the-crash"), new CacheEntryOptions { DistributedLockTimeout = TimeSpan.FromSeconds(30) });
        TestContext.Out.WriteLine($"holder killed mid-factory: the next miss ran its factory {killed.ElapsedMilliseconds} ms after the kill (lock lifetime 1500 ms from the holder's SET)");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(result.Value, Is.EqualTo("after-the-crash"));
            Assert.That(killed.Elapsed, Is.LessThan(TimeSpan.FromSeconds(6)), "the lock expired after 1.5 s; the 30 s wait was not sat out");
            Assert.That(cache.LockCounters.Waits, Is.EqualTo(1));
            Assert.That(cache.LockCounters.Acquired, Is.EqualTo(1));
        }
    }
}
