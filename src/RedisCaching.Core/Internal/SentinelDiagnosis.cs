using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Threading.Tasks;
using StackExchange.Redis;

namespace RedisCaching.Internal;

/// <summary>
/// Says why a connection through sentinels failed. StackExchange.Redis reports an unknown service name and a primary
/// that is down the same way ("Failed connecting to configured primary"), and sentinels that do not answer as any
/// unreachable server; an operator needs to know which of the three to fix. So each sentinel is asked directly
/// (<c>SENTINEL GET-MASTER-ADDR-BY-NAME</c>, and <c>SENTINEL MASTERS</c> for the names it does know).
/// </summary>
internal static class SentinelDiagnosis
{
    /// <summary>The reason, in words that say what to check; never a password.</summary>
    public static async Task<string> DescribeAsync(ConfigurationOptions failed)
    {
        var serviceName = failed.ServiceName!;
        var sentinels = failed.EndPoints.ToArray();
        var answered = new List<string>();
        var known = new SortedSet<string>(StringComparer.Ordinal);
        EndPoint? primary = null;
        string? rejectedCertificate = null;
        foreach (var endpoint in sentinels)
        {
            var probe = SentinelProbeOptions(failed, endpoint, abortOnConnectFail: true);

            // A rejected server certificate fails the connect like a closed port would: only this event tells them apart.
            probe.ConnectionAttemptCompleted += (_, e) =>
            {
                if (e.ServerCertificateAccepted == false)
                {
                    rejectedCertificate ??= $"{e.ServerCertificatePolicyErrors} ({e.ServerCertificateChainStatus})";
                }
            };
            try
            {
                var connection = await ConnectionMultiplexer.ConnectAsync(probe).ConfigureAwait(false);
                await using var _ = connection.ConfigureAwait(false);
                var server = connection.GetServer(endpoint);
                primary ??= await server.SentinelGetMasterAddressByNameAsync(serviceName).ConfigureAwait(false);
                foreach (var master in await server.SentinelMastersAsync().ConfigureAwait(false))
                {
                    if (master.FirstOrDefault(p => p.Key == "name").Value is { Length: > 0 } name)
                    {
                        known.Add(name);
                    }
                }

                answered.Add(endpoint.ToString()!);
            }
            catch (Exception ex) when (ex is RedisException or TimeoutException)
            {
                // Not a sentinel we can ask: counted below.
            }
        }

        var all = string.Join(", ", sentinels.Select(e => e.ToString()));
        if (answered.Count == 0 && rejectedCertificate is not null)
        {
            return $"No sentinel reachable: none of {all} could be trusted: the TLS server certificate was rejected, {rejectedCertificate}. Check the CA that signs the sentinels' certificates (Tls:CaCertificatePath, Tls:RootCertificate; the same CA options apply to sentinels and data nodes, and validation stays on) and Tls:ServerName.";
        }

        if (answered.Count == 0)
        {
            return $"No sentinel reachable: none of {all} answered as a Redis Sentinel. Check the endpoints (sentinels listen on 26379 by default), that redis-sentinel runs, and SentinelUser/SentinelPassword.";
        }

        if (primary is null)
        {
            var names = known.Count == 0 ? "none" : string.Join(", ", known.Select(n => $"'{n}'"));
            return $"Unknown service name: the sentinels at {string.Join(", ", answered)} do not monitor a service named '{serviceName}' (they monitor {names}). Check ServiceName.";
        }

        return PrimaryUnreachable(serviceName, primary);
    }

    /// <summary>The reason when the sentinels named <paramref name="primary"/> and it could not be connected.</summary>
    public static string PrimaryUnreachable(string serviceName, EndPoint primary) =>
        $"The sentinels name {primary} as the primary of '{serviceName}', but it could not be connected: check that it runs and accepts this client (Password/User, TLS).";

    /// <summary>
    /// A connection to one sentinel: a clone of <paramref name="failed"/>, so it keeps everything that reaches a server
    /// (TLS with its certificate validation and selection callbacks, <c>SslProtocols</c>, revocation check, SslHost,
    /// tunnel, socket hooks), then made a sentinel connection. A fresh <see cref="ConfigurationOptions"/> copying only
    /// <c>Ssl</c> lost the callbacks: with a private CA no sentinel was reachable and the cache quietly fell back to
    /// StackExchange.Redis's sentinel mode.
    /// </summary>
    public static ConfigurationOptions SentinelProbeOptions(ConfigurationOptions failed, EndPoint endpoint, bool abortOnConnectFail)
    {
        var probe = failed.Clone();

        // With a service name StackExchange.Redis would treat the sentinel as the way to a primary and connect onwards.
        probe.ServiceName = null;
        probe.EndPoints.Clear();
        probe.EndPoints.Add(endpoint);
        probe.CommandMap = CommandMap.Sentinel;
        probe.TieBreaker = string.Empty;

        // A sentinel has its own credentials (none when SentinelUser/SentinelPassword are not set), never the data nodes'.
        probe.User = failed.SentinelUser;
        probe.Password = failed.SentinelPassword;

        // The sentinel's event channels are subscribed by their literal names: an application's prefix must not apply.
        probe.ChannelPrefix = default;

        // Pub/sub and SENTINEL commands only: RESP2 is understood by every sentinel version (RESP3 needs 6.0's HELLO).
        probe.Protocol = RedisProtocol.Resp2;
        probe.ConnectTimeout = Math.Min(failed.ConnectTimeout, 2000);
        probe.SyncTimeout = Math.Min(failed.SyncTimeout, 2000);
        probe.AsyncTimeout = Math.Min(failed.AsyncTimeout, 2000);
        probe.AbortOnConnectFail = abortOnConnectFail;
        return probe;
    }
}
