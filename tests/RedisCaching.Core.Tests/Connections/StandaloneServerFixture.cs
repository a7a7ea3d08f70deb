using System.Threading.Tasks;
using NUnit.Framework;
using RedisCaching.Testing;
using static RedisCaching.Core.Tests.Connections.ConnectionTestSupport;

namespace RedisCaching.Core.Tests.Connections;

/// <summary>A fixture whose tests share one standalone server (each test uses its own keys).</summary>
public abstract class StandaloneServerFixture
{
    /// <summary>The fixture's server, started once before its tests.</summary>
    protected IRedisTestServer Server { get; private set; } = null!;

    [OneTimeSetUp]
    public async Task StartServer()
    {
        RedisAvailability.RequireServer();
        Server = await Servers.StartAsync(RedisTopology.Standalone);
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
