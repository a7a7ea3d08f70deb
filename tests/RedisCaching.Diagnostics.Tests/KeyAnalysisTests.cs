using System;
using System.Linq;
using System.Threading.Tasks;
using Microsoft.Extensions.DependencyInjection;
using NUnit.Framework;

namespace RedisCaching.Diagnostics.Tests;

/// <summary>Key analysis on a keyspace of known shape, seeded through the cache and with redis-cli, on this fixture's own server.</summary>
[NonParallelizable]
public class KeyAnalysisTests : ServerFixture
{
    [Test]
    public async Task Groups_count_size_and_ttl_of_a_seeded_keyspace_and_say_what_to_fix()
    {
        await using var host = await CacheHost.StartAsync(Server, static (services, _) => services.AddRedisCaching().AddAdministration());
        var admin = host.Services.GetRequiredKeyedService<ICacheAdministration>(host.Name);
        var prefix = ((ICacheKeySpace)host.Cache).KeyPrefix;

        // 300 small users for 10 minutes, 40 large reports for 2 days, 25 sessions written without a TTL by another program.
        for (var i = 0; i < 300; i++)
        {
            await host.Cache.SetAsync("user:" + i, "u" + i, new CacheEntryOptions { Expiration = TimeSpan.FromMinutes(10) });
        }

        var large = new string('r', 100_000);
        for (var i = 0; i < 40; i++)
        {
            await host.Cache.SetAsync("report:" + i, large, new CacheEntryOptions { Expiration = TimeSpan.FromDays(2) });
        }

        for (var i = 0; i < 25; i++)
        {
            await Server.RunCliAsync("SET", prefix + "session:" + i, "s");
        }

        await Server.RunCliAsync("SET", "another-app:key", "not ours");

        var report = await admin.AnalyzeKeysAsync(new KeyAnalysisOptions { ScanCount = 50 });
        var user = report.Groups.Single(g => g.Group == "user");
        var reports = report.Groups.Single(g => g.Group == "report");
        var session = report.Groups.Single(g => g.Group == "session");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(report.Complete, Is.True);
            Assert.That(report.KeysRead, Is.EqualTo(365), "only the cache's keys, each once");
            Assert.That(report.Groups[0].Group, Is.EqualTo("report"), "largest first");
            // Redis's TTL, not the entry's: 10 minutes plus the default fail-safe window, under a day.
            Assert.That((user.Keys, user.TtlUnderAMinute + user.TtlUnderAnHour + user.TtlUnderADay, user.WithoutTtl), Is.EqualTo((300L, 300L, 0L)));
            Assert.That((reports.Keys, reports.TtlADayOrMore), Is.EqualTo((40L, 40L)));
            Assert.That(reports.LargestBytes, Is.GreaterThan(100_000));
            Assert.That(reports.Bytes, Is.GreaterThan(user.Bytes));
            Assert.That((session.Keys, session.WithoutTtl), Is.EqualTo((25L, 25L)));
            Assert.That(report.Recommendations, Has.Some.Contains("'session': 25 of 25 keys have no TTL"));
            Assert.That(report.Recommendations, Has.Some.Contains("'report': entries average"));
            Assert.That(report.Recommendations, Has.Some.Contains("'report' holds"));
            Assert.That(report.Groups.Select(g => g.Group), Has.None.Contains("another-app"));
        }
    }

    [Test]
    public async Task The_bounds_stop_it_and_say_so()
    {
        await using var host = await CacheHost.StartAsync(Server, static (services, _) => services.AddRedisCaching().AddAdministration());
        var admin = host.Services.GetRequiredKeyedService<ICacheAdministration>(host.Name);
        for (var i = 0; i < 200; i++)
        {
            await host.Cache.SetAsync("item:" + i, i);
        }

        var capped = await admin.AnalyzeKeysAsync(new KeyAnalysisOptions { MaxKeys = 50, ScanCount = 10 });
        using (Assert.EnterMultipleScope())
        {
            Assert.That(capped.Complete, Is.False);
            Assert.That(capped.KeysRead, Is.LessThanOrEqualTo(50).And.GreaterThan(0));
        }

        Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () => await admin.AnalyzeKeysAsync(new KeyAnalysisOptions { MaxKeys = 0 }));
    }
}
