using System;
using System.Buffers;
using System.Collections.Generic;
using System.Diagnostics.CodeAnalysis;
using System.Text;
using System.Threading.Tasks;
using Microsoft.Extensions.Caching.Hybrid;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using NUnit.Framework;
using RedisCaching.Core.Tests.Connections;

namespace RedisCaching.Core.Tests.Payload;

/// <summary>Serializers written for Microsoft's HybridCache plug in unchanged, and the envelope records them as their own format.</summary>
public class HybridSerializerInteropTests : StandaloneServerFixture
{
    private ServiceProvider Build(Action<IRedisCachingBuilder> add, string prefix, string? profileFormat = null)
    {
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["RedisCaching:Redis:ConnectionString"] = $"{Server.Host}:{Server.Port}",
            ["RedisCaching:Keys:Prefix"] = prefix,
            ["RedisCaching:Memory:Enabled"] = "false",

            // The first call connects; the default 250 ms budget could turn it into a (correct) degraded no-op on a busy box.
            ["RedisCaching:RedisTimeout"] = "00:00:03",
            ["RedisCaching:Profiles:pipes:Serializer"] = profileFormat,
        }).Build());
        add(services.AddRedisCaching().WithoutEnvironmentVariables());
        return services.BuildServiceProvider();
    }

    [Test]
    public async Task A_typed_HybridCache_serializer_stores_its_type_in_its_own_bytes()
    {
        var prefix = "hs" + Guid.NewGuid().ToString("N")[..8];
        await using var provider = Build(b => b.AddHybridCacheSerializer(new WidgetSerializer(), 100, "widget"), prefix);
        var cache = provider.GetRequiredService<ICache>();
        await cache.SetAsync("w", new Widget("gear", 7));
        var raw = await Server.RunCliAsync("GET", $"{prefix}:w");
        using (Assert.EnterMultipleScope())
        {
            Assert.That((await cache.TryGetAsync<Widget>("w")).Value, Is.EqualTo(new Widget("gear", 7)));
            Assert.That(raw, Does.EndWith("gear|7"), "the payload is what the HybridCache serializer wrote");
        }
    }

    [Test]
    public async Task A_HybridCache_serializer_factory_is_a_format_profiles_choose_by_name()
    {
        var prefix = "hf" + Guid.NewGuid().ToString("N")[..8];
        await using var provider = Build(b => b.AddHybridCacheSerializerFactory(new PipeFactory(), 101, "pipes"), prefix, "pipes");
        var cache = provider.GetRequiredService<ICache>();
        var pipes = new CacheEntryOptions { Profile = "pipes" };
        await cache.SetAsync("w", new Widget("valve", 3), pipes);
        using (Assert.EnterMultipleScope())
        {
            Assert.That((await cache.TryGetAsync<Widget>("w", pipes)).Value, Is.EqualTo(new Widget("valve", 3)));
            Assert.That((await cache.TryGetAsync<Widget>("w")).HasValue, Is.False, "JSON readers do not read the factory's bytes");
            Assert.That(async () => await cache.SetAsync("n", 42, pipes), Throws.InstanceOf<NotSupportedException>().With.Message.Contains("Int32"));
        }
    }

    [Test]
    public void App_formats_must_use_ids_from_64()
    {
        var services = new ServiceCollection();
        Assert.That(() => services.AddRedisCaching().AddHybridCacheSerializer(new WidgetSerializer(), 3, "widget"), Throws.InstanceOf<ArgumentOutOfRangeException>());
    }

    private sealed record Widget(string Name, int Size);

    private sealed class WidgetSerializer : IHybridCacheSerializer<Widget>
    {
        public Widget Deserialize(ReadOnlySequence<byte> source)
        {
            var parts = Encoding.UTF8.GetString(source.ToArray()).Split('|');
            return new Widget(parts[0], int.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture));
        }

        public void Serialize(Widget value, IBufferWriter<byte> target) =>
            target.Write(Encoding.UTF8.GetBytes(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{value.Name}|{value.Size}")));
    }

    /// <summary>Knows widgets only.</summary>
    private sealed class PipeFactory : IHybridCacheSerializerFactory
    {
        public bool TryCreateSerializer<T>([NotNullWhen(true)] out IHybridCacheSerializer<T>? serializer)
        {
            serializer = typeof(T) == typeof(Widget) ? (IHybridCacheSerializer<T>)(object)new WidgetSerializer() : null;
            return serializer is not null;
        }
    }
}
