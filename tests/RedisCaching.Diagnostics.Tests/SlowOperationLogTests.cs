using System;
using System.Linq;
using System.Threading.Tasks;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using NUnit.Framework;
using RedisCaching.Testing;

namespace RedisCaching.Diagnostics.Tests;

/// <summary>The slow-operation log, with the slowness made by a TCP proxy that delays each chunk.</summary>
public class SlowOperationLogTests : ServerFixture
{
    private static readonly TimeSpan Threshold = TimeSpan.FromMilliseconds(150);

    [Test]
    public async Task Redis_commands_over_the_threshold_are_logged_and_kept_without_their_key()
    {
        var logs = new ListLoggerProvider();
        await using var proxy = FaultProxy.Start(Server);
        await using var host = await CacheHost.StartAsync(
            Server,
            (services, _) =>
            {
                services.AddLogging(b => b.AddProvider(logs));
                services.AddRedisCaching().AddSlowOperationLog(o => o.Threshold = Threshold);
            },
            o =>
            {
                o.Redis.Host = proxy.Endpoint.Address.ToString();
                o.Redis.Port = proxy.Port;
            });
        var slowLog = host.Services.GetRequiredService<ISlowOperationLog>();

        // The first command also pays for the connect and the JIT (110 ms once in a CI run beside a CPU burner).
        const string key = "profile:secret-user";
        await host.Cache.SetAsync("warm-up", "first");
        var before = slowLog.GetRecent().Count(s => s.CacheName == host.Name);
        var took = System.Diagnostics.Stopwatch.StartNew();
        await host.Cache.SetAsync(key, "fast");
        took.Stop();
        if (took.Elapsed < Threshold)
        {
            Assert.That(slowLog.GetRecent().Count(s => s.CacheName == host.Name), Is.EqualTo(before), "nothing slow without the delay");
        }

        // 90 ms each way: a command's round trip takes at least 180 ms (under the cache's 250 ms budget).
        proxy.AddLatency(TimeSpan.FromMilliseconds(90));
        await host.Cache.SetAsync(key + ":2", "slow");

        var ours = slowLog.GetRecent().Where(s => s.CacheName == host.Name).ToList();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(ours.Select(s => s.Operation), Does.Contain("SET"));
            Assert.That(ours.All(s => s.Duration >= Threshold), Is.True);
            var logged = logs.Entries.Where(e => e.EventId == DiagnosticsEventIds.SlowRedisOperation && e.Message.Contains(host.Name, StringComparison.Ordinal)).ToList();
            Assert.That(logged, Is.Not.Empty);
            Assert.That(logged.Select(e => e.Message), Has.None.Contains("secret-user"), "the log line never holds the key");
        }
    }
}
