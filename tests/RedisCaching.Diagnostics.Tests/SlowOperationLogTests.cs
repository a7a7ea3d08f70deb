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
                services.AddRedisCaching().AddSlowOperationLog(o => o.Threshold = TimeSpan.FromMilliseconds(100));
            },
            o =>
            {
                o.Redis.Host = proxy.Endpoint.Address.ToString();
                o.Redis.Port = proxy.Port;
            });
        var slowLog = host.Services.GetRequiredService<ISlowOperationLog>();

        const string key = "profile:secret-user";
        await host.Cache.SetAsync(key, "fast");
        Assert.That(slowLog.GetRecent().Where(s => s.CacheName == host.Name), Is.Empty, "nothing slow without the delay");

        // 60 ms each way: a command's round trip takes at least 120 ms.
        proxy.AddLatency(TimeSpan.FromMilliseconds(60));
        await host.Cache.SetAsync(key + ":2", "slow");

        var ours = slowLog.GetRecent().Where(s => s.CacheName == host.Name).ToList();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(ours.Select(s => s.Operation), Does.Contain("SET"));
            Assert.That(ours.All(s => s.Duration >= TimeSpan.FromMilliseconds(100)), Is.True);
            var logged = logs.Entries.Where(e => e.EventId == DiagnosticsEventIds.SlowRedisOperation && e.Message.Contains(host.Name, StringComparison.Ordinal)).ToList();
            Assert.That(logged, Is.Not.Empty);
            Assert.That(logged.Select(e => e.Message), Has.None.Contains("secret-user"), "the log line never holds the key");
        }
    }
}
