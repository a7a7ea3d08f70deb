using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Threading.Tasks;

namespace RedisCaching.Testing;

/// <summary>Starting the processes: data nodes first, then the sentinels, then waiting until all see each other.</summary>
public sealed partial class RedisSentinelTopology
{
    internal static async Task<RedisSentinelTopology> StartAsync(RedisTestEnvironment environment, RedisSentinelOptions options)
    {
        var clock = Stopwatch.StartNew();
        var dataPassword = options.RequireDataPassword ? RedisServerLaunch.NewPassword() : null;
        var sentinelPassword = options.RequireSentinelPassword ? RedisServerLaunch.NewPassword() : null;
        var started = new List<RedisProcessServer>();
        try
        {
            var primary = await StartDataNodeAsync(environment, options, dataPassword, replicaOf: null).ConfigureAwait(false);
            started.Add(primary);
            var replica = await StartDataNodeAsync(environment, options, dataPassword, replicaOf: primary.Port).ConfigureAwait(false);
            started.Add(replica);

            // A sentinel learns the replicas from the primary's INFO when it connects, and asks again only every
            // 10 s: start the sentinels once the replica is attached, or the start takes 10 s more.
            await Poll.UntilAsync("the replica attached to the primary", options.ReadyTimeout,
                async () => ReplicaLinkMissing(await replica.RunCliAsync("INFO", "replication").ConfigureAwait(false), primary.Port)).ConfigureAwait(false);

            var sentinelStarts = Enumerable.Range(0, 3).Select(_ => StartSentinelAsync(environment, options, sentinelPassword, dataPassword, primary.Port)).ToArray();
            try
            {
                await Task.WhenAll(sentinelStarts).ConfigureAwait(false);
            }
            finally
            {
                // Those that did start must be stopped with the rest if another failed.
                started.AddRange(sentinelStarts.Where(s => s.IsCompletedSuccessfully).Select(s => s.Result));
            }

            var sentinels = sentinelStarts.Select(s => s.Result).ToArray();

            var topology = new RedisSentinelTopology(options, dataPassword, sentinelPassword, [primary, replica], sentinels);
            await topology.WaitUntilReadyAsync().ConfigureAwait(false);
            topology.StartDuration = clock.Elapsed;
            return topology;
        }
        catch
        {
            foreach (var server in started)
            {
                await server.DisposeAsync().ConfigureAwait(false);
            }

            throw;
        }
    }

    private static Task<RedisProcessServer> StartDataNodeAsync(RedisTestEnvironment environment, RedisSentinelOptions options, string? password, int? replicaOf)
    {
        var topology = options.UseTls ? RedisTopology.Tls : password is null ? RedisTopology.Standalone : RedisTopology.Password;
        return RedisProcessServer.StartAsync(environment.RedisServerExecutable!, topology, options.ReadyTimeout, (port, directory) =>
        {
            var tls = options.UseTls ? TestCertificateSet.Instance.WriteTo(directory) : null;
            var extra = new List<string>
            {
                "--logfile", Path.Combine(directory, "redis.log"),
                // Redis 7 waits 5 s for more replicas before a diskless full sync: no reason to in a test.
                "--repl-diskless-sync-delay", "0",
            };
            if (tls is not null)
            {
                // The TLS port is the only one: a replica must reach its primary through it.
                extra.AddRange(["--tls-replication", "yes"]);
            }

            if (password is not null)
            {
                // Every data node may become a replica of the other after a failover.
                extra.AddRange(["--masterauth", password]);
            }

            if (replicaOf is { } primaryPort)
            {
                extra.AddRange(["--replicaof", "127.0.0.1", primaryPort.ToString(CultureInfo.InvariantCulture)]);
            }

            var launch = RedisServerLaunch.Create(topology, "127.0.0.1", port, directory, tls, extra, password);
            if (tls is not null && password is not null)
            {
                // The Tls topology has no password of its own: added here, and kept for redis-cli.
                launch = RedisServerLaunch.Custom([.. launch.Arguments, "--requirepass", password], password);
            }

            return (launch, tls);
        });
    }

    private static Task<RedisProcessServer> StartSentinelAsync(RedisTestEnvironment environment, RedisSentinelOptions options, string? sentinelPassword, string? dataPassword, int primaryPort)
    {
        var topology = options.UseTls ? RedisTopology.Tls : sentinelPassword is null ? RedisTopology.Standalone : RedisTopology.Password;
        return RedisProcessServer.StartAsync(environment.RedisSentinelExecutable!, topology, options.ReadyTimeout, (port, directory) =>
        {
            var tls = options.UseTls ? TestCertificateSet.Instance.WriteTo(directory) : null;
            // A sentinel rewrites its config file as it learns the topology: a fresh file per sentinel and run.
            var configFile = Path.Combine(directory, "sentinel.conf");
            File.WriteAllText(configFile, SentinelConfig(options, port, directory, primaryPort, sentinelPassword, dataPassword, tls));
            return (RedisServerLaunch.Custom([configFile], sentinelPassword), tls);
        });
    }

    private static string SentinelConfig(RedisSentinelOptions options, int port, string directory, int primaryPort, string? sentinelPassword, string? dataPassword, RedisTestTls? tls)
    {
        var name = options.ServiceName;
        var lines = new List<string>();
        if (tls is null)
        {
            lines.Add(string.Create(CultureInfo.InvariantCulture, $"port {port}"));
        }
        else
        {
            // TLS only. tls-replication makes the sentinel speak TLS to the data nodes and to the other sentinels, and
            // announce its TLS port to them in its hello messages.
            lines.AddRange(
            [
                "port 0",
                string.Create(CultureInfo.InvariantCulture, $"tls-port {port}"),
                $"tls-cert-file \"{tls.ServerCertificatePath}\"",
                $"tls-key-file \"{tls.ServerKeyPath}\"",
                $"tls-ca-cert-file \"{tls.CaCertificatePath}\"",
                "tls-auth-clients no",
                "tls-replication yes",
            ]);
        }

        lines.AddRange(
        [
            "bind 127.0.0.1",
            $"dir \"{directory}\"",
            $"logfile \"{Path.Combine(directory, "sentinel.log")}\"",
            string.Create(CultureInfo.InvariantCulture, $"sentinel monitor {name} 127.0.0.1 {primaryPort} 2"),
            string.Create(CultureInfo.InvariantCulture, $"sentinel down-after-milliseconds {name} {(long)options.DownAfter.TotalMilliseconds}"),
            string.Create(CultureInfo.InvariantCulture, $"sentinel failover-timeout {name} {(long)options.FailoverTimeout.TotalMilliseconds}"),
            $"sentinel parallel-syncs {name} 1",
        ]);
        if (dataPassword is not null)
        {
            lines.Add($"sentinel auth-pass {name} {dataPassword}");
        }

        if (sentinelPassword is not null)
        {
            // Clients need it, and so do the other sentinels (sentinel-pass is what a sentinel sends to its peers).
            lines.Add($"requirepass {sentinelPassword}");
            lines.Add($"sentinel sentinel-pass {sentinelPassword}");
        }

        return string.Join('\n', lines) + "\n";
    }

    /// <summary>Null when INFO replication shows a replica of <paramref name="primaryPort"/> in sync; otherwise what differs.</summary>
    private static string? ReplicaLinkMissing(string info, int primaryPort)
    {
        var fields = RedisReply.Fields(info);
        return fields.Get("role") == "slave" && fields.Get("master_port") == primaryPort.ToString(CultureInfo.InvariantCulture) && fields.Get("master_link_status") == "up"
            ? null
            : $"role:{fields.Get("role")} master_port:{fields.Get("master_port")} master_link_status:{fields.Get("master_link_status")} (expected a replica of {primaryPort}, link up)";
    }
}
