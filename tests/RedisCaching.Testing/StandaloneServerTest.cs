using System.Threading.Tasks;
using NUnit.Framework;

namespace RedisCaching.Testing;

/// <summary>
/// A test fixture whose tests share one standalone redis-server (each test uses its own keys): started once before
/// them (or failed/ignored with an actionable message when none can be had), stopped by pid after them.
/// </summary>
public abstract class StandaloneServerTest
{
    /// <summary>The fixture's server, started once before its tests.</summary>
    protected IRedisTestServer Server { get; private set; } = null!;

    /// <summary>Starts the server.</summary>
    /// <returns>A task that completes when the server answers.</returns>
    [OneTimeSetUp]
    public async Task StartServer()
    {
        RedisAvailability.RequireServer();
        Server = await RedisTestServers.StartAsync(RedisTopology.Standalone);
    }

    /// <summary>Stops the server.</summary>
    /// <returns>A task that completes when the server has stopped.</returns>
    [OneTimeTearDown]
    public async Task StopServer()
    {
        if (Server is not null)
        {
            await Server.DisposeAsync();
        }
    }
}
