using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Threading.Tasks;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using NUnit.Framework;
using RedisCaching.Core.Tests.Connections;
using RedisCaching.Internal.Engine;

namespace RedisCaching.Core.Tests.Cache;

/// <summary>Named caches through dependency injection, against a real server.</summary>
public class NamedCacheTests : StandaloneServerFixture
{
    private string _prefix = null!;

    [SetUp]
    public void NewPrefix() => _prefix = "nc" + Guid.NewGuid().ToString("N")[..10];

    private ServiceProvider Build(Action<IRedisCachingBuilder> named, Dictionary<string, string?>? settings = null)
    {
        var services = new ServiceCollection();
        var values = new Dictionary<string, string?>
        {
            ["RedisCaching:Redis:ConnectionString"] = $"{Server.Host}:{Server.Port}",
            ["RedisCaching:Keys:Prefix"] = _prefix,
            ["RedisCaching:RedisTimeout"] = "00:00:02",

            // The staleness bound off (named caches inherit it): it only ever refuses hits, so with it the coherence
            // checks below would pass whenever the lease lapsed; LeaseTests cover the bound.
            ["RedisCaching:Memory:MaxStaleness"] = "-00:00:00.001",
        };
        foreach (var (key, value) in settings ?? [])
        {
            values[key] = value;
        }

        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().AddInMemoryCollection(values).Build());
        named(services.AddRedisCaching().WithoutEnvironmentVariables());
        services.AddSingleton<ReportService>();
        var provider = services.BuildServiceProvider();
        provider.GetRequiredService<IStartupValidator>().Validate();
        return provider;
    }

    private sealed class ReportService([FromKeyedServices("reports")] ICache cache)
    {
        public ICache Cache { get; } = cache;
    }

    private async Task<long> PttlAsync(string redisKey) => long.Parse(await Server.RunCliAsync("PTTL", redisKey), CultureInfo.InvariantCulture);

    [Test]
    public async Task Two_named_caches_and_the_main_cache_do_not_see_each_others_entries()
    {
        await using var provider = Build(b => b.AddNamedCache("reports").AddNamedCache("sessions"));
        var reports = provider.GetRequiredKeyedService<ICache>("reports");
        var sessions = provider.GetRequiredKeyedService<ICache>("sessions");
        var main = provider.GetRequiredService<ICache>();
        await reports.SetAsync("item:1", "report");
        await sessions.SetAsync("item:1", "session");
        using (Assert.EnterMultipleScope())
        {
            Assert.That((await reports.TryGetAsync<string>("item:1")).Value, Is.EqualTo("report"));
            Assert.That((await sessions.TryGetAsync<string>("item:1")).Value, Is.EqualTo("session"));
            Assert.That((await main.TryGetAsync<string>("item:1")).HasValue, Is.False);
            Assert.That(await Server.RunCliAsync("EXISTS", $"{_prefix}:reports:item:1"), Is.EqualTo("1"), "the name is the default namespace");
            Assert.That(await Server.RunCliAsync("EXISTS", $"{_prefix}:sessions:item:1"), Is.EqualTo("1"));
        }

        await reports.RemoveAsync("item:1");
        Assert.That((await sessions.TryGetAsync<string>("item:1")).Value, Is.EqualTo("session"), "removing from one leaves the other");
    }

    [Test]
    public async Task A_named_cache_resolves_as_a_keyed_service_and_through_the_provider()
    {
        await using var provider = Build(b => b.AddNamedCache("reports").AddNamedCache("sessions"));
        var keyed = provider.GetRequiredKeyedService<ICache>("reports");
        var cacheProvider = provider.GetRequiredService<ICacheProvider>();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(provider.GetRequiredService<ReportService>().Cache, Is.SameAs(keyed), "[FromKeyedServices(\"reports\")]");
            Assert.That(cacheProvider.GetCache("reports"), Is.SameAs(keyed));
            Assert.That(keyed, Is.Not.SameAs(provider.GetRequiredService<ICache>()));
            Assert.That(keyed, Is.Not.SameAs(provider.GetRequiredKeyedService<ICache>("sessions")));
            Assert.That(cacheProvider.Names, Is.EquivalentTo(new[] { "reports", "sessions" }));
            Assert.That(() => cacheProvider.GetCache("report"), Throws.ArgumentException.With.Message.Contains("registered: reports, sessions"));
        }
    }

    [Test]
    public async Task Each_named_cache_has_its_own_defaults_and_profiles_over_the_main_ones()
    {
        await using var provider = Build(
            b => b.AddNamedCache("reports", o =>
            {
                o.DefaultEntryOptions = o.DefaultEntryOptions with { Expiration = TimeSpan.FromSeconds(90), FailSafeMaxDuration = TimeSpan.Zero };
                o.Profiles["weekly"] = new CacheEntryOptions { Expiration = TimeSpan.FromMinutes(7), FailSafeMaxDuration = TimeSpan.Zero };
            }),
            new Dictionary<string, string?> { ["RedisCaching:Defaults:FailSafeMaxDuration"] = "00:00:00" });
        var reports = provider.GetRequiredKeyedService<ICache>("reports");
        var main = provider.GetRequiredService<ICache>();
        await reports.SetAsync("a", "x");
        await reports.SetAsync("b", "x", new CacheEntryOptions { Profile = "weekly" });
        await reports.SetAsync("c", "x", new CacheEntryOptions { Profile = "features", FailSafeMaxDuration = TimeSpan.Zero });
        await main.SetAsync("a", "x");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(await PttlAsync($"{_prefix}:reports:a"), Is.InRange(85_000, 90_000), "the named cache's defaults");
            Assert.That(await PttlAsync($"{_prefix}:reports:b"), Is.InRange(415_000, 420_000), "its own profile");
            Assert.That(await PttlAsync($"{_prefix}:reports:c"), Is.InRange(895_000, 900_000), "the shipped profiles are inherited");
            Assert.That(await PttlAsync($"{_prefix}:a"), Is.InRange(295_000, 300_000), "the main cache keeps its 5 minutes");
            Assert.That(() => main.SetAsync("d", "x", new CacheEntryOptions { Profile = "weekly" }).AsTask(), Throws.ArgumentException, "the named cache's profile is its own");
        }
    }

    [Test]
    public async Task Configuration_binds_RedisCaching_Caches_name_and_code_runs_after_it()
    {
        await using var provider = Build(
            b => b.AddNamedCache("reports", o => o.Memory.MaxEntries = 77).AddNamedCache("reports", o => o.Keys.Version = "2"),
            new Dictionary<string, string?>
            {
                ["RedisCaching:Memory:MaxBytes"] = "1000000",
                ["RedisCaching:Caches:reports:Keys:Namespace"] = "rpt",
                ["RedisCaching:Caches:reports:Defaults:Expiration"] = "00:01:30",
                ["RedisCaching:Caches:reports:Defaults:DistributedLockTimeout"] = "00:00:05",
                ["RedisCaching:Caches:reports:Profiles:weekly:Expiration"] = "00:07:00",
                ["RedisCaching:Caches:reports:Memory:MaxEntries"] = "50",
            });
        var options = provider.GetRequiredService<IOptionsMonitor<NamedCacheOptions>>().Get("reports");
        var main = provider.GetRequiredService<IOptions<RedisCachingOptions>>().Value;
        using (Assert.EnterMultipleScope())
        {
            Assert.That(options.Keys.Namespace, Is.EqualTo("rpt"));
            Assert.That(options.Keys.Prefix, Is.EqualTo(_prefix), "inherited from the main keys");
            Assert.That(options.Keys.Version, Is.EqualTo("2"), "a second AddNamedCache adds a configure step");
            Assert.That(options.DefaultEntryOptions.Expiration, Is.EqualTo(TimeSpan.FromSeconds(90)));
            Assert.That(options.DefaultEntryOptions.FailSafeMaxDuration, Is.EqualTo(TimeSpan.FromHours(1)), "inherited from the main defaults");
            Assert.That(options.DefaultEntryOptions.DistributedLockTimeout, Is.EqualTo(TimeSpan.FromSeconds(5)));
            Assert.That(options.Profiles["weekly"].Expiration, Is.EqualTo(TimeSpan.FromMinutes(7)));
            Assert.That(options.Memory.MaxEntries, Is.EqualTo(77), "code runs after configuration");
            Assert.That(options.Memory.MaxBytes, Is.EqualTo(1_000_000), "inherited from the main memory settings");
            Assert.That(main.Keys.Namespace, Is.Null, "the main options are untouched");
            Assert.That(main.Profiles.ContainsKey("weekly"), Is.False);
        }

        await provider.GetRequiredKeyedService<ICache>("reports").SetAsync("k", "v");
        Assert.That(await Server.RunCliAsync("EXISTS", $"{_prefix}:rpt:v2:k"), Is.EqualTo("1"));
    }

    [Test]
    public async Task Named_caches_of_two_app_instances_stay_coherent()
    {
        await using var first = Build(b => b.AddNamedCache("reports").AddNamedCache("sessions"));
        await using var second = Build(b => b.AddNamedCache("reports").AddNamedCache("sessions"));
        var writer = first.GetRequiredKeyedService<ICache>("reports");
        var reader = (RedisCache)second.GetRequiredKeyedService<ICache>("reports");
        var otherReader = (RedisCache)second.GetRequiredKeyedService<ICache>("sessions");
        await WaitUntilAsync(() => reader.CoherenceMode == CacheCoherenceMode.Tracking && otherReader.CoherenceMode == CacheCoherenceMode.Tracking, "tracking on both named caches");

        await writer.SetAsync("total", 1);
        Assert.That((await reader.GetOrSetAsync("total", 0, (_, _, _) => ValueTask.FromResult(-1))).Value, Is.EqualTo(1));
        // Waited for: the write's invalidation may reach the reader after its first read and void that fill (a loaded
        // box), and its memory lease may go unconfirmed for a moment (the default 25 ms bound is on here).
        await WaitUntilAsync(async () => await reader.TryGetAsync<int>("total") is { Value: 1, Tier: CacheTier.Memory }, "now held in the reader's memory");

        await writer.SetAsync("total", 2);
        await WaitUntilAsync(async () => (await reader.TryGetAsync<int>("total")).Value == 2, "the write reached the other instance's named cache");
        await Server.RunCliAsync("SET", $"{_prefix}:reports:total", "garbage-from-another-program");
        await WaitUntilAsync(async () => !(await reader.TryGetAsync<int>("total")).HasValue, "a write from outside invalidated it too");

        await otherReader.SetAsync("total", 5);
        await WaitUntilAsync(async () => await otherReader.TryGetAsync<int>("total") is { Value: 5, Tier: CacheTier.Memory }, "held in the other named cache's memory");
        await writer.SetAsync("total", 3);
        await Task.Delay(200);
        Assert.That((await otherReader.TryGetAsync<int>("total")).Value, Is.EqualTo(5), "another named cache's write does not touch this one");
    }

    private static async Task WaitUntilAsync(Func<bool> condition, string what) => await WaitUntilAsync(() => Task.FromResult(condition()), what);

    private static async Task WaitUntilAsync(Func<Task<bool>> condition, string what)
    {
        var stopwatch = Stopwatch.StartNew();
        while (!await condition())
        {
            if (stopwatch.Elapsed > TimeSpan.FromSeconds(10))
            {
                Assert.Fail("Timed out waiting: " + what);
            }

            await Task.Delay(10);
        }
    }
}
