using System;
using System.Linq;
using MessagePack.Resolvers;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using NUnit.Framework;
using RedisCaching.Serialization.Tests.Shapes;

namespace RedisCaching.Serialization.Tests;

public sealed class DependencyInjectionTests
{
    private static ServiceProvider Build(Action<IRedisCachingBuilder> add)
    {
        var services = new ServiceCollection();
        add(services.AddRedisCaching(o => o.Redis.ConnectionString = "127.0.0.1:1"));
        return services.BuildServiceProvider();
    }

    [Test]
    public void Each_codec_and_format_is_registered_once_even_when_added_twice()
    {
        using ServiceProvider provider = Build(b => b
            .AddMessagePackSerializer().AddMessagePackSerializer()
            .AddZstdCompression().AddZstdCompression(o => o.Level = 5)
            .AddLz4Compression().AddLz4Compression());
        var formats = provider.GetServices<ICacheSerializerProvider>().Where(p => p is MessagePackCacheSerializerProvider).ToArray();
        var codecs = provider.GetServices<ICacheCompressor>().Where(c => c is ZstdCacheCompressor or Lz4CacheCompressor).ToArray();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(formats.Select(f => (f.Id, f.Name)), Is.EqualTo(new[] { ((byte)3, "messagepack") }));
            Assert.That(codecs.Select(c => (c.Id, c.Name)), Is.EquivalentTo(new[] { ((byte)4, "zstd"), ((byte)5, "lz4") }));
            Assert.That(provider.GetRequiredService<IOptions<ZstdCompressionOptions>>().Value.Level, Is.EqualTo(5), "every configure step applies");
        }
    }

    /// <summary>Ids 1-63 are refused at start-up for anything registered in DI except this package's own format and codecs.</summary>
    [Test]
    public void This_packages_format_and_codecs_hold_their_reserved_ids_at_start_up()
    {
        using ServiceProvider provider = Build(b => b.AddMessagePackSerializer().AddZstdCompression().AddLz4Compression());
        Assert.DoesNotThrow(() => provider.GetRequiredService<IStartupValidator>().Validate());
    }

    [Test]
    public void The_dynamic_overload_serializes_attributed_types_and_honours_contractless()
    {
        using ServiceProvider provider = Build(b => b.AddMessagePackSerializer(o => o.AllowContractless = true));
        var format = provider.GetServices<ICacheSerializerProvider>().OfType<MessagePackCacheSerializerProvider>().Single();
        Assert.DoesNotThrow(() => format.GetSerializer<Order>());
        Assert.DoesNotThrow(() => format.GetSerializer<PlainPoco>());
    }

    [Test]
    public void The_resolver_overload_uses_only_the_given_resolver()
    {
        using ServiceProvider provider = Build(b => b.AddMessagePackSerializer(BuiltinResolver.Instance));
        var format = provider.GetServices<ICacheSerializerProvider>().OfType<MessagePackCacheSerializerProvider>().Single();
        Assert.DoesNotThrow(() => format.GetSerializer<string>());
        Assert.Throws<NotSupportedException>(() => format.GetSerializer<Order>(), "no dynamic fallback behind a user resolver");
    }

    [Test]
    public void Invalid_settings_fail_with_a_message_that_names_them()
    {
        using ServiceProvider provider = Build(b => b.AddZstdCompression(o => o.Level = 99));
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => provider.GetServices<ICacheCompressor>().ToArray());
        Assert.That(e!.Message, Does.Contain("zstd level"));
    }
}
