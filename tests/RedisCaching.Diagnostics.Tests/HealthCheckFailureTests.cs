using System;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using System.Threading.Tasks;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using NUnit.Framework;
using RedisCaching.Testing;
using static RedisCaching.Diagnostics.Tests.HealthCheckTests;

namespace RedisCaching.Diagnostics.Tests;

/// <summary>Health verdicts driven by real conditions on a server of this fixture's own: maxmemory set low with data in, the server killed.</summary>
[NonParallelizable]
public class HealthCheckFailureTests : ServerFixture
{
    [Test, Order(1)]
    public async Task Redis_memory_near_maxmemory_is_degraded_and_healthy_again_once_the_limit_is_lifted()
    {
        await using var host = await CacheHost.StartAsync(Server, Register());
        var payload = new string('x', 10_000);
        for (var i = 0; i < 200; i++)
        {
            await host.Cache.SetAsync("fill-" + i, payload);
        }

        Assert.That((await CheckAsync(host)).Entries["rediscaching"].Status, Is.EqualTo(HealthStatus.Healthy), "no limit yet");

        // A limit the data already fills to about 95%: over the default 90%, and Redis still accepts the PINGs.
        var used = long.Parse((await Server.RunCliAsync("INFO", "memory")).Split('\n').First(l => l.StartsWith("used_memory:", StringComparison.Ordinal))["used_memory:".Length..].Trim(), CultureInfo.InvariantCulture);
        await Server.RunCliAsync("CONFIG", "SET", "maxmemory", ((long)(used / 0.95)).ToString(CultureInfo.InvariantCulture));
        try
        {
            var entry = (await CheckAsync(host)).Entries["rediscaching"];
            using (Assert.EnterMultipleScope())
            {
                Assert.That(entry.Status, Is.EqualTo(HealthStatus.Degraded), entry.Description);
                Assert.That(entry.Description, Does.Contain("Redis memory"));
                Assert.That((double)entry.Data["redis.memory_ratio"], Is.GreaterThan(0.9).And.LessThanOrEqualTo(1.0));
            }
        }
        finally
        {
            await Server.RunCliAsync("CONFIG", "SET", "maxmemory", "0");
        }

        Assert.That((await CheckAsync(host)).Entries["rediscaching"].Status, Is.EqualTo(HealthStatus.Healthy), "the limit is lifted");
    }

    [Test, Order(2)]
    public async Task A_killed_redis_server_is_unhealthy()
    {
        await using var host = await CacheHost.StartAsync(Server, Register(o => o.Timeout = TimeSpan.FromSeconds(2)));
        Assert.That((await CheckAsync(host)).Entries["rediscaching"].Status, Is.EqualTo(HealthStatus.Healthy), "before the kill");
        if (Server.ProcessId is not { } pid)
        {
            Assert.Ignore("The server is not a process of this run (container or external): it cannot be killed here.");
            return;
        }

        // The fixture's own redis-server, by pid (SIGKILL: no shutdown, sockets reset by the kernel).
        using (var process = Process.GetProcessById(pid))
        {
            process.Kill();
            await process.WaitForExitAsync();
        }

        var entry = (await CheckAsync(host)).Entries["rediscaching"];
        Assert.That(entry.Status, Is.EqualTo(HealthStatus.Unhealthy), entry.Description);
    }
}
