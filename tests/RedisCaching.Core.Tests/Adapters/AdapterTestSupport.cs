using System;
using System.Diagnostics;
using System.Threading.Tasks;
using Microsoft.Extensions.DependencyInjection;
using NUnit.Framework;
using RedisCaching.Internal.Engine;
using RedisCaching.Internal.Envelope;
using RedisCaching.Testing;

namespace RedisCaching.Core.Tests.Adapters;

/// <summary>Apps built the way users build them: <c>AddRedisCaching(…).AsHybridCache().AsDistributedCache()</c> against a test server.</summary>
internal static class AdapterTestSupport
{
    public const byte RawBytesSerializerId = 2;

    public static string NewPrefix() => "a" + Guid.NewGuid().ToString("N")[..12];

    public static IRedisCachingBuilder AddTestCache(this IServiceCollection services, IRedisTestServer server, string prefix, Action<RedisCachingOptions>? adjust = null) =>
        services.AddRedisCaching(o =>
            {
                o.Redis.ConnectionString = server.ConfigurationString;
                o.Keys.Prefix = prefix;

                // Generous, so a loaded CI machine does not turn a read into a (correct, but unexpected) degraded miss;
                // StackExchange.Redis's own command timeout too (1 s by default), which would fire first.
                o.RedisTimeout = TimeSpan.FromSeconds(5);
                o.Redis.CommandTimeout = TimeSpan.FromSeconds(5);
                adjust?.Invoke(o);
            })
            .WithoutEnvironmentVariables();

    /// <summary>A provider with both adapters, whose memory tier is coherent before the test starts.</summary>
    public static async Task<ServiceProvider> BuildAsync(IRedisTestServer server, string prefix, Action<IServiceCollection>? more = null, Action<RedisCachingOptions>? adjust = null)
    {
        var services = new ServiceCollection();
        services.AddTestCache(server, prefix, adjust).AsHybridCache().AsDistributedCache();
        more?.Invoke(services);
        var provider = services.BuildServiceProvider();
        await WaitUntilCoherentAsync(provider);
        return provider;
    }

    public static async Task WaitUntilCoherentAsync(IServiceProvider provider)
    {
        var cache = Engine(provider);
        var waited = Stopwatch.StartNew();
        while (cache.CoherenceMode is not (CacheCoherenceMode.Tracking or CacheCoherenceMode.Backplane))
        {
            if (waited.Elapsed > TimeSpan.FromSeconds(15))
            {
                Assert.Fail($"The memory tier did not become coherent within 15 s (mode {cache.CoherenceMode}).");
            }

            await Task.Delay(10);
        }
    }

    public static RedisCache Engine(IServiceProvider provider) => (RedisCache)provider.GetRequiredService<ICache>();

    /// <summary>Polls <paramref name="condition"/> until it holds or <paramref name="deadline"/> passes; returns whether it held.</summary>
    public static async Task<bool> EventuallyAsync(Func<Task<bool>> condition, TimeSpan deadline)
    {
        var waited = Stopwatch.StartNew();
        while (true)
        {
            if (await condition())
            {
                return true;
            }

            if (waited.Elapsed > deadline)
            {
                return false;
            }

            await Task.Delay(25);
        }
    }

    /// <summary>Reads an entry as Redis holds it: its header, and the payload after it.</summary>
    public static (EnvelopeHeader Header, byte[] Payload) ReadEntry(byte[] entry)
    {
        var status = EnvelopeFormat.TryRead(entry, out var header, out var payloadOffset);
        Assert.That(status, Is.EqualTo(EnvelopeReadStatus.Ok), "an entry of ours");
        return (header, entry[payloadOffset..]);
    }
}
