using System;
using System.Threading;
using System.Threading.Tasks;

namespace RedisCaching.Testing;

/// <summary>
/// The entry point for tests: <c>await using var server = await RedisTestServers.StartAsync(RedisTopology.Password);</c>
/// Settings come from the environment variables (<see cref="RedisTestEnvironment.FromEnvironmentVariables"/>).
/// </summary>
public static class RedisTestServers
{
    private static readonly Lazy<RedisTestServerFactory> DefaultFactory = new(() => new RedisTestServerFactory());
    private static readonly SemaphoreSlim SharedGate = new(1, 1);
    private static IRedisTestServer? s_shared;

    /// <summary>The factory built from the environment variables.</summary>
    public static RedisTestServerFactory Default => DefaultFactory.Value;

    /// <summary>Starts a server of <paramref name="topology"/>; dispose it at the end of the test or fixture.</summary>
    public static Task<IRedisTestServer> StartAsync(RedisTopology topology, RedisTestServerOptions? options = null) =>
        Default.StartAsync(topology, options);

    /// <summary>Starts a Standalone server.</summary>
    public static Task<IRedisTestServer> StartAsync() => Default.StartAsync(RedisTopology.Standalone);

    /// <summary>Starts a primary, a replica and three sentinels (<see cref="RedisSentinelTopology"/>); dispose it at the end.</summary>
    public static Task<RedisSentinelTopology> StartSentinelAsync(RedisSentinelOptions? options = null) => Default.StartSentinelAsync(options);

    /// <summary>Starts three primaries with a replica each (<see cref="RedisClusterTopology"/>); dispose it at the end.</summary>
    public static Task<RedisClusterTopology> StartClusterAsync(RedisClusterOptions? options = null) => Default.StartClusterAsync(options);

    /// <summary>
    /// A Standalone server shared by every fixture of the process, started on first use, to save a start per
    /// fixture. Tests must use their own keys (<see cref="RedisTestKeys"/>) and may not flush, stop, restart or
    /// pause it (those throw); disposing the returned object does nothing. It is stopped at process exit, or by
    /// <see cref="DisposeSharedAsync"/> from an assembly-level <c>[OneTimeTearDown]</c>.
    /// </summary>
    public static async Task<IRedisTestServer> GetSharedAsync()
    {
        if (Volatile.Read(ref s_shared) is { } existing)
        {
            return existing;
        }

        await SharedGate.WaitAsync().ConfigureAwait(false);
        try
        {
            // A failed start is not cached: the next fixture tries again and reports its own failure.
            s_shared ??= new SharedRedisTestServer(await Default.StartAsync(RedisTopology.Standalone).ConfigureAwait(false));
            return s_shared;
        }
        finally
        {
            SharedGate.Release();
        }
    }

    /// <summary>Stops the shared server if it was started.</summary>
    public static async ValueTask DisposeSharedAsync()
    {
        await SharedGate.WaitAsync().ConfigureAwait(false);
        try
        {
            if (s_shared is SharedRedisTestServer shared)
            {
                s_shared = null;
                await shared.Inner.DisposeAsync().ConfigureAwait(false);
            }
        }
        finally
        {
            SharedGate.Release();
        }
    }
}
