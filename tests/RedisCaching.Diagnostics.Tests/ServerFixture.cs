using System.Threading.Tasks;
using NUnit.Framework;
using RedisCaching.Testing;

namespace RedisCaching.Diagnostics.Tests;

/// <summary>A redis-server (standalone) process of the fixture's own, started before its tests.</summary>
public abstract class ServerFixture
{
    /// <summary>The fixture's server.</summary>
    protected IRedisTestServer Server { get; private set; } = null!;

    [OneTimeSetUp]
    public async Task StartServer()
    {
        RedisAvailability.RequireServer();
        Server = await RedisTestServers.StartAsync(RedisTopology.Standalone);
    }

    [OneTimeTearDown]
    public async Task StopServer()
    {
        if (Server is not null)
        {
            await Server.DisposeAsync();
        }
    }
}
