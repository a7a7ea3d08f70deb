using System;
using System.Collections.Generic;
using System.Threading.Tasks;
using MessagePack;
using MessagePack.Resolvers;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using NUnit.Framework;
using RedisCaching.Serialization.Encryption;
using RedisCaching.Testing;
using StackExchange.Redis;

namespace RedisCaching.Serialization.Tests.Engine;

/// <summary>
/// A real redis-server and caches built the way an app builds them: <c>AddRedisCaching()</c> with every format, codec
/// and encryption from this package, the memory tier off so every read decodes what Redis holds.
/// </summary>
public abstract class EngineFixture : StandaloneServerTest
{
    /// <summary>An ICache (and its provider, to dispose) on <paramref name="prefix"/> with every codec and the given keys.</summary>
    protected ServiceProvider BuildCache(string prefix, CacheEncryptionKeySet? keys = null, Action<RedisCachingOptions>? configure = null) =>
        BuildCache(prefix, (ICacheEncryptionKeyProvider)(keys ?? new CacheEncryptionKeySet(1, new Dictionary<ushort, byte[]> { [1] = Encryption.TestKeys.Key(1), [2] = Encryption.TestKeys.Key(2) })), configure);

    /// <summary>
    /// As the overload with a key set, with keys from a host provider (whose keys may change while the cache runs);
    /// the cache logs to <paramref name="logs"/> when given.
    /// </summary>
    protected ServiceProvider BuildCache(string prefix, ICacheEncryptionKeyProvider keys, Action<RedisCachingOptions>? configure = null, ListLoggerProvider? logs = null)
    {
        var services = new ServiceCollection();
        if (logs is not null)
        {
            services.AddLogging(builder => builder.AddProvider(logs).SetMinimumLevel(LogLevel.Debug));
        }

        services.AddRedisCaching(o =>
        {
            o.Redis.Host = Server.Host;
            o.Redis.Port = Server.Port;
            o.Redis.User = Server.User;
            o.Redis.Password = Server.Password;
            o.Keys.Prefix = prefix;
            o.Memory.Enabled = false;
            o.RedisTimeout = TimeSpan.FromSeconds(3);
            configure?.Invoke(o);
        })
        .WithoutEnvironmentVariables()
        .AddMessagePackSerializer(CompositeResolver.Create(StandardResolver.Instance))
        .AddZstdCompression()
        .AddLz4Compression()
        .AddValueEncryption(keys);
        return services.BuildServiceProvider();
    }

    protected async Task<byte[]> RawAsync(string redisKey)
    {
        await using var connection = await ConnectAsync();
        return (byte[])(await connection.GetDatabase().StringGetAsync(redisKey))!;
    }

    protected async Task PutRawAsync(string redisKey, byte[] bytes)
    {
        await using var connection = await ConnectAsync();
        await connection.GetDatabase().StringSetAsync(redisKey, bytes, TimeSpan.FromMinutes(5));
    }

    private Task<ConnectionMultiplexer> ConnectAsync() => ConnectionMultiplexer.ConnectAsync(new ConfigurationOptions
    {
        EndPoints = { { Server.Host, Server.Port } },
        User = Server.User,
        Password = Server.Password,
    });
}
