using System;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.DependencyInjection;
using NUnit.Framework;
using RedisCaching.Testing;

namespace RedisCaching.Generators.Tests.Integration;

/// <summary>The generated decorator and <c>AddCachedServices()</c> against a real redis-server.</summary>
public sealed class CachedServiceTests : StandaloneServerTest
{

    [Test]
    public async Task Cached_method_runs_the_implementation_once_for_repeated_calls()
    {
        var store = new FeatureStore();
        await using var provider = Build(services => services.AddSingleton<IFeatureStore>(store));
        var features = provider.GetRequiredService<IFeatureStore>();

        for (var i = 0; i < 5; i++)
        {
            Assert.That(await features.GetAsync(7, CancellationToken.None), Is.EqualTo(new Feature(7, "feature 7")));
            Assert.That(await features.GetNameAsync(7), Is.EqualTo("name 7 #2"));
        }

        Assert.That(store.Calls, Is.EqualTo(2));
    }

    [Test]
    public async Task Generic_method_keeps_one_entry_per_type_argument()
    {
        const string Id = "6f9619ff-8b86-d011-b42d-00c04fc964ff";
        var store = new FeatureStore();
        string prefix = null!;
        await using var provider = Build(services => services.AddSingleton<IFeatureStore>(store), o => prefix = o.Keys.Prefix);
        var features = provider.GetRequiredService<IFeatureStore>();

        for (var i = 0; i < 3; i++)
        {
            Assert.That(await features.ParseAsync<int>("42"), Is.EqualTo(42));
            Assert.That(await features.ParseAsync<double>("42"), Is.EqualTo(42.0));
            Assert.That(await features.ParseAsync<Guid>(Id), Is.EqualTo(Guid.Parse(Id)));
        }

        Assert.That(store.Calls, Is.EqualTo(3), "one run per type argument, then cached");
        var database = (await provider.GetRequiredService<IRedisConnection>().GetMultiplexerAsync()).GetDatabase();
        Assert.That(await database.KeyExistsAsync($"{prefix}:parsed:System.Int32:42"), Is.True);
        Assert.That(await database.KeyExistsAsync($"{prefix}:parsed:System.Double:42"), Is.True);
        Assert.That(await database.KeyExistsAsync($"{prefix}:parsed:System.Guid:{Id}"), Is.True);
    }

    [Test]
    public async Task Concurrent_cold_calls_run_the_implementation_once()
    {
        var store = new FeatureStore { Delay = TimeSpan.FromMilliseconds(200) };
        await using var provider = Build(services => services.AddSingleton<IFeatureStore>(store));
        var features = provider.GetRequiredService<IFeatureStore>();

        var results = await Task.WhenAll(Enumerable.Range(0, 50).Select(_ => Task.Run(() => features.GetAsync(1, CancellationToken.None))));

        Assert.Multiple(() =>
        {
            Assert.That(store.Calls, Is.EqualTo(1));
            Assert.That(results, Is.All.EqualTo(new Feature(1, "feature 1")));
        });
    }

    [Test]
    public async Task Invalidating_method_evicts_its_key_after_running()
    {
        var store = new FeatureStore();
        await using var provider = Build(services => services.AddSingleton<IFeatureStore>(store));
        var features = provider.GetRequiredService<IFeatureStore>();
        await features.GetAsync(1, CancellationToken.None);
        await features.GetAsync(2, CancellationToken.None);

        await features.UpdateAsync(new Feature(1, "renamed"), CancellationToken.None);

        Assert.Multiple(async () =>
        {
            Assert.That(await features.GetAsync(1, CancellationToken.None), Is.EqualTo(new Feature(1, "renamed")));
            Assert.That(await features.GetAsync(2, CancellationToken.None), Is.EqualTo(new Feature(2, "feature 2")));
            Assert.That(store.Calls, Is.EqualTo(3), "only feature 1 was loaded again");
        });
    }

    [Test]
    public async Task Invalidating_method_evicts_its_tags()
    {
        var store = new FeatureStore();
        await using var provider = Build(services => services.AddSingleton<IFeatureStore>(store));
        var features = provider.GetRequiredService<IFeatureStore>();
        await store.UpdateAsync(new Feature(1, "one"), CancellationToken.None);
        await features.GetAsync(1, CancellationToken.None);
        await features.GetAsync(2, CancellationToken.None);

        await features.ClearAsync();

        Assert.Multiple(async () =>
        {
            Assert.That(await features.GetAsync(1, CancellationToken.None), Is.EqualTo(new Feature(1, "feature 1")));
            Assert.That(await features.GetAsync(2, CancellationToken.None), Is.EqualTo(new Feature(2, "feature 2")));
            Assert.That(store.Calls, Is.EqualTo(4), "both tagged entries were loaded again");
        });
    }

    [Test]
    public async Task Fail_safe_serves_the_old_value_when_the_implementation_throws_after_expiry()
    {
        var store = new FeatureStore();
        await using var provider = Build(
            services => services.AddSingleton<IFeatureStore>(store),
            o => o.DefaultEntryOptions = o.DefaultEntryOptions with { FailSafeMaxDuration = TimeSpan.FromMinutes(1) });
        var features = provider.GetRequiredService<IFeatureStore>();
        var first = await features.GetNameAsync(3);

        await Task.Delay(TimeSpan.FromMilliseconds(1500));
        store.Fail = true;

        Assert.Multiple(async () =>
        {
            Assert.That(await features.GetNameAsync(3), Is.EqualTo(first));
            Assert.That(store.Calls, Is.EqualTo(2), "the implementation ran, failed, and the stale value was served");
        });
    }

    [Test]
    public async Task Null_results_are_cached_only_when_opted_in()
    {
        var store = new FeatureStore();
        await using var provider = Build(services => services.AddSingleton<IFeatureStore>(store));
        var features = provider.GetRequiredService<IFeatureStore>();

        Assert.That(await features.FindAsync("x"), Is.Null);
        Assert.That(await features.FindAsync("x"), Is.Null);
        Assert.That(store.Calls, Is.EqualTo(2), "null is not cached by default");

        Assert.That(await features.FindOrNullAsync("x"), Is.Null);
        Assert.That(await features.FindOrNullAsync("x"), Is.Null);
        Assert.That(store.Calls, Is.EqualTo(3), "CacheNull = true caches it");
    }

    [Test]
    public async Task Implementation_gets_the_factory_token_and_the_callers_token_is_not_part_of_the_key()
    {
        var store = new FeatureStore();
        await using var provider = Build(
            services => services.AddSingleton<IFeatureStore>(store),
            o => o.DefaultEntryOptions = o.DefaultEntryOptions with { FactoryHardTimeout = TimeSpan.FromSeconds(30) });
        var features = provider.GetRequiredService<IFeatureStore>();
        using var cts = new CancellationTokenSource();

        await features.GetAsync(5, cts.Token);
        await features.GetAsync(5, CancellationToken.None);

        Assert.Multiple(() =>
        {
            Assert.That(store.Calls, Is.EqualTo(1));
            Assert.That(store.LastToken.CanBeCanceled, Is.True, "the implementation gets the cache's factory token (the hard timeout's)");
            Assert.That(store.LastToken, Is.Not.EqualTo(cts.Token));
        });
    }

    [Test]
    public async Task AddCachedServices_keeps_the_lifetime_of_type_and_factory_registrations()
    {
        await using (var provider = Build(services => services.AddScoped<IFeatureStore, FeatureStore>()))
        {
            using var scope1 = provider.CreateScope();
            using var scope2 = provider.CreateScope();
            var a = scope1.ServiceProvider.GetRequiredService<IFeatureStore>();
            Assert.Multiple(() =>
            {
                Assert.That(a.GetType().Name, Is.EqualTo("FeatureStoreCachingDecorator"));
                Assert.That(scope1.ServiceProvider.GetRequiredService<IFeatureStore>(), Is.SameAs(a));
                Assert.That(scope2.ServiceProvider.GetRequiredService<IFeatureStore>(), Is.Not.SameAs(a));
            });
        }

        var made = 0;
        await using (var provider = Build(services => services.AddTransient<IFeatureStore>(_ =>
        {
            made++;
            return new FeatureStore();
        })))
        {
            var a = provider.GetRequiredService<IFeatureStore>();
            var b = provider.GetRequiredService<IFeatureStore>();
            Assert.Multiple(() =>
            {
                Assert.That(a.GetType().Name, Is.EqualTo("FeatureStoreCachingDecorator"));
                Assert.That(b, Is.Not.SameAs(a));
                Assert.That(made, Is.EqualTo(2));
            });
        }
    }

    [Test]
    public async Task AddCachedServices_twice_decorates_once()
    {
        var store = new FeatureStore();
        var services = new ServiceCollection();
        services.AddSingleton<IFeatureStore>(store);
        var builder = AddCache(services);
        var count = services.Count;
        builder.AddCachedServices();
        var decorated = services.Count;
        builder.AddCachedServices();
        await using var provider = services.BuildServiceProvider();

        Assert.Multiple(async () =>
        {
            Assert.That(decorated, Is.EqualTo(count + 2), "the decorator takes the registration's place; the original moves under a key; one marker");
            Assert.That(services, Has.Count.EqualTo(decorated));
            var features = provider.GetRequiredService<IFeatureStore>();
            await features.GetAsync(1, CancellationToken.None);
            await features.GetAsync(1, CancellationToken.None);
            Assert.That(store.Calls, Is.EqualTo(1));
        });
    }

    private ServiceProvider Build(Action<IServiceCollection> register, Action<RedisCachingOptions>? configure = null)
    {
        var services = new ServiceCollection();
        register(services);
        AddCache(services, configure).AddCachedServices();
        return services.BuildServiceProvider();
    }

    private IRedisCachingBuilder AddCache(IServiceCollection services, Action<RedisCachingOptions>? configure = null) =>
        services.AddRedisCaching(o =>
        {
            o.Redis.Host = Server.Host;
            o.Redis.Port = Server.Port;
            o.Redis.User = Server.User;
            o.Redis.Password = Server.Password;
            o.Keys.Prefix = "g" + Guid.NewGuid().ToString("N")[..12];
            o.RedisTimeout = TimeSpan.FromSeconds(3);
            configure?.Invoke(o);
        })
        .WithoutEnvironmentVariables();
}
