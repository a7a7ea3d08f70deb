using System.Threading.Tasks;
using NUnit.Framework;
using RedisCaching.Core.Tests.Connections;
using RedisCaching.Testing;

namespace RedisCaching.Core.Tests.Cache;

/// <summary>
/// A fixture with a standalone server of its own that accepts <c>DEBUG</c> (<c>--enable-debug-command yes</c>), for
/// tests that switch active expiry off (<c>DEBUG SET-ACTIVE-EXPIRE 0</c>) to stand in for a large database, where a
/// key past its TTL may stay undeleted for minutes. Never shared: the switch affects every key on the server.
/// </summary>
public abstract class DebugEnabledServerFixture
{
    /// <summary>The fixture's server.</summary>
    protected IRedisTestServer Server { get; private set; } = null!;

    /// <summary>Starts the server.</summary>
    /// <returns>A task that completes when the server answers.</returns>
    [OneTimeSetUp]
    public async Task StartDebugEnabledServer()
    {
        RedisAvailability.RequireServer();
        Server = await ConnectionTestSupport.Servers.StartAsync(
            RedisTopology.Standalone,
            new RedisTestServerOptions { ExtraArguments = ["--enable-debug-command", "yes"] });
    }

    /// <summary>Stops the server.</summary>
    /// <returns>A task that completes when the server has stopped.</returns>
    [OneTimeTearDown]
    public async Task StopDebugEnabledServer()
    {
        if (Server is not null)
        {
            await Server.DisposeAsync();
        }
    }
}
