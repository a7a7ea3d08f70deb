using System;
using System.Threading.Tasks;

namespace RedisCaching.Testing;

/// <summary>
/// Starts test servers according to a <see cref="RedisTestEnvironment"/>. <see cref="RedisTestServers"/> holds
/// the one built from the environment variables; tests of the harness build their own.
/// </summary>
/// <remarks>Thread-safe: every server is independent, on its own port and folder.</remarks>
public sealed class RedisTestServerFactory
{
    /// <summary>A factory configured from the environment variables.</summary>
    public RedisTestServerFactory()
        : this(RedisTestEnvironment.FromEnvironmentVariables())
    {
    }

    /// <summary>A factory with explicit settings (no environment variable is read).</summary>
    public RedisTestServerFactory(RedisTestEnvironment environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        Environment = environment;
    }

    /// <summary>The settings in use.</summary>
    public RedisTestEnvironment Environment { get; }

    /// <summary>
    /// Starts (or, for Standalone with <see cref="RedisTestEnvironment.ExternalConfiguration"/>, attaches to) a
    /// server of <paramref name="topology"/>, as a container or a process per <see cref="RedisTestEnvironment.Mode"/>.
    /// When no server can be had the test fails under CI and is ignored locally (<see cref="RedisAvailability"/>).
    /// </summary>
    public async Task<IRedisTestServer> StartAsync(RedisTopology topology, RedisTestServerOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(topology);
        options ??= RedisTestServerOptions.Default;
        if (topology.Kind == RedisTopologyKind.Standalone && Environment.ExternalConfiguration is not null)
        {
            return ConnectExternal();
        }

        switch (Environment.Mode)
        {
            case RedisTestServerMode.Container when RedisContainerServer.Supports(topology):
                return await StartContainerAsync(topology, options).ConfigureAwait(false);
            case RedisTestServerMode.Auto when RedisContainerServer.Supports(topology):
                var container = await AutoModeDecision.TryStartContainerAsync(Environment, topology, options).ConfigureAwait(false);
                if (container is not null)
                {
                    Report(container);
                    return container;
                }

                break;
            case RedisTestServerMode.Container or RedisTestServerMode.Auto:
                TestProgress.WriteOnce("container-unsupported-" + topology, $"Containers do not support the {topology} topology yet: a redis-server process serves it.");
                break;
            default:
                break;
        }

        return await StartProcessAsync(topology, options).ConfigureAwait(false);
    }

    /// <summary>Starts a redis-server process whatever the mode.</summary>
    public async Task<IRedisTestServer> StartProcessAsync(RedisTopology topology, RedisTestServerOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(topology);
        RedisAvailability.RequireServerExecutable(Environment, topology);
        var server = await RedisProcessServer.StartAsync(Environment.RedisServerExecutable!, topology, options ?? RedisTestServerOptions.Default).ConfigureAwait(false);
        Report(server);
        return server;
    }

    /// <summary>Starts a container whatever the mode.</summary>
    /// <exception cref="RedisContainerUnavailableException">No engine, an engine that refuses the client, or no image.</exception>
    /// <exception cref="NotSupportedException">A topology containers do not support yet (TLS).</exception>
    public async Task<IRedisTestServer> StartContainerAsync(RedisTopology topology, RedisTestServerOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(topology);
        try
        {
            var server = await RedisContainerServer.StartAsync(Environment.ContainerImage, topology, options ?? RedisTestServerOptions.Default).ConfigureAwait(false);
            Report(server);
            return server;
        }
        catch (Exception ex) when (ContainerFailure.IsUnavailable(ex))
        {
            throw new RedisContainerUnavailableException(ContainerFailure.Describe(ex, Environment.ContainerImage), ex);
        }
    }

    /// <summary>
    /// Starts a <see cref="RedisSentinelTopology"/> (always processes: redis-server and redis-sentinel) and waits until
    /// it is ready. When the executables are missing the test fails under CI and is ignored locally.
    /// </summary>
    public async Task<RedisSentinelTopology> StartSentinelAsync(RedisSentinelOptions? options = null)
    {
        RedisAvailability.RequireSentinel(Environment);
        var topology = await RedisSentinelTopology.StartAsync(Environment, options ?? RedisSentinelOptions.Default).ConfigureAwait(false);
        NUnit.Framework.TestContext.Progress.WriteLine($"[RedisCaching.Testing] A Sentinel topology started in {topology.StartDuration.TotalSeconds:0.0} s ({topology}).");
        return topology;
    }

    /// <summary>
    /// Starts a <see cref="RedisClusterTopology"/> (always processes, created with <c>redis-cli --cluster create</c>) and
    /// waits until it is ready. When the executables are missing the test fails under CI and is ignored locally.
    /// </summary>
    public async Task<RedisClusterTopology> StartClusterAsync(RedisClusterOptions? options = null)
    {
        RedisAvailability.RequireCluster(Environment);
        var topology = await RedisClusterTopology.StartAsync(Environment, options ?? RedisClusterOptions.Default).ConfigureAwait(false);
        NUnit.Framework.TestContext.Progress.WriteLine($"[RedisCaching.Testing] A Cluster topology started in {topology.StartDuration.TotalSeconds:0.0} s ({topology}).");
        return topology;
    }

    /// <summary>The server named by <see cref="RedisTestEnvironment.ExternalConfiguration"/>.</summary>
    public IRedisTestServer ConnectExternal()
    {
        var configuration = Environment.ExternalConfiguration
            ?? throw new InvalidOperationException("No external server is configured (REDISCACHING_TEST_REDIS).");
        var server = ExternalRedisServer.Create(configuration);
        Report(server);
        return server;
    }

    private void Report(IRedisTestServer server) =>
        TestProgress.WriteOnce(server.Kind == RedisTestServerKinds.External ? $"external-{server.Host}:{server.Port}" : "kind-" + server.Kind, server.Kind switch
        {
            RedisTestServerKinds.External => $"Using the external server {server.Host}:{server.Port} (REDISCACHING_TEST_REDIS or RedisTestEnvironment.ExternalConfiguration) for Standalone.",
            RedisTestServerKinds.Container => $"Using containers of {Environment.ContainerImage} (REDISCACHING_TEST_SERVERS={Environment.Mode}).",
            _ => $"Using redis-server processes from {Environment.RedisServerExecutable}.",
        });
}
