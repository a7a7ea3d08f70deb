using System;
using System.Threading;
using System.Threading.Tasks;

namespace RedisCaching.Testing;

/// <summary>
/// Auto mode's choice between containers and processes, made once per test process by the first start: probing
/// the engine for every test would cost seconds each when it is missing or broken.
/// </summary>
internal static class AutoModeDecision
{
    private static readonly SemaphoreSlim Gate = new(1, 1);
    private static bool? s_useContainers;

    /// <summary>A container server, or null when auto mode runs processes.</summary>
    public static async Task<IRedisTestServer?> TryStartContainerAsync(RedisTestEnvironment environment, RedisTopology topology, RedisTestServerOptions options)
    {
        if (s_useContainers is bool decided)
        {
            return decided ? await RedisContainerServer.StartAsync(environment.ContainerImage, topology, options).ConfigureAwait(false) : null;
        }

        await Gate.WaitAsync().ConfigureAwait(false);
        try
        {
            if (s_useContainers is bool decidedMeanwhile)
            {
                return decidedMeanwhile ? await RedisContainerServer.StartAsync(environment.ContainerImage, topology, options).ConfigureAwait(false) : null;
            }

            try
            {
                var server = await RedisContainerServer.StartAsync(environment.ContainerImage, topology, options).ConfigureAwait(false);
                s_useContainers = true;
                return server;
            }
#pragma warning disable CA1031 // Auto mode falls back on any failure; the reason is printed, not swallowed.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                s_useContainers = false;
                TestProgress.WriteOnce("auto-fallback", "REDISCACHING_TEST_SERVERS=auto: containers unavailable, using redis-server processes. "
                    + ContainerFailure.Describe(ex, environment.ContainerImage));
                return null;
            }
        }
        finally
        {
            Gate.Release();
        }
    }
}
