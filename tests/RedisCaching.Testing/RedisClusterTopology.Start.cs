using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Threading.Tasks;

namespace RedisCaching.Testing;

/// <summary>Starting the six processes and creating the cluster.</summary>
public sealed partial class RedisClusterTopology
{
    private const int NodeCount = 6;

    internal static async Task<RedisClusterTopology> StartAsync(RedisTestEnvironment environment, RedisClusterOptions options)
    {
        var clock = Stopwatch.StartNew();
        var starts = Enumerable.Range(0, NodeCount).Select(_ => StartNodeAsync(environment, options)).ToArray();
        try
        {
            var nodes = await Task.WhenAll(starts).ConfigureAwait(false);
            var topology = new RedisClusterTopology(options, nodes);
            await CommandRunner.RunAsync(
                environment.RedisCliExecutable!,
                ["--cluster", "create", .. nodes.Select(n => $"127.0.0.1:{n.Port.ToString(CultureInfo.InvariantCulture)}"), "--cluster-replicas", "1", "--cluster-yes"],
                options.ReadyTimeout).ConfigureAwait(false);
            await topology.WaitUntilReadyAsync().ConfigureAwait(false);
            topology.StartDuration = clock.Elapsed;
            return topology;
        }
        catch
        {
            foreach (var start in starts.Where(s => s.IsCompletedSuccessfully))
            {
                await start.Result.DisposeAsync().ConfigureAwait(false);
            }

            throw;
        }
    }

    private static Task<RedisProcessServer> StartNodeAsync(RedisTestEnvironment environment, RedisClusterOptions options) =>
        RedisProcessServer.StartAsync(environment.RedisServerExecutable!, RedisTopology.Standalone, options.ReadyTimeout, (port, directory) =>
        {
            string[] extra =
            [
                "--logfile", Path.Combine(directory, "redis.log"),
                "--cluster-enabled", "yes",
                // In the node's own folder, so a restarted node rejoins as itself.
                "--cluster-config-file", "nodes.conf",
                "--cluster-node-timeout", ((long)options.NodeTimeout.TotalMilliseconds).ToString(CultureInfo.InvariantCulture),
                // The bus port defaults to port + 10000, which may be taken or beyond 65535: choose a free one too.
                "--cluster-port", FreePort.Next().ToString(CultureInfo.InvariantCulture),
                // A replica whose link was down a while must still take over a killed primary in a test.
                "--cluster-replica-validity-factor", "0",
                // Redis 7 waits 5 s for more replicas before a diskless full sync: no reason to in a test.
                "--repl-diskless-sync-delay", "0",
            ];
            return (RedisServerLaunch.Create(RedisTopology.Standalone, "127.0.0.1", port, directory, null, extra), null);
        });
}
