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
        foreach (var endpoint in sentinels)
        {
            var probe = SentinelProbeOptions(failed, endpoint, abortOnConnectFail: true);
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
        if (answered.Count == 0)
        {
            return $"No sentinel reachable: none of {all} answered as a Redis Sentinel. Check the endpoints (sentinels listen on 26379 by default), that redis-sentinel runs, and SentinelUser/SentinelPassword.";
        }

        if (primary is null)
        {
            var names = known.Count == 0 ? "none" : string.Join(", ", known.Select(n => $"'{n}'"));
            return $"Unknown service name: the sentinels at {string.Join(", ", answered)} do not monitor a service named '{serviceName}' (they monitor {names}). Check ServiceName.";
        }

        return $"The sentinels name {primary} as the primary of '{serviceName}', but it could not be connected: check that it runs and accepts this client (Password/User, TLS).";
    }

    /// <summary>A connection to one sentinel with the sentinel credentials and TLS of <paramref name="failed"/>.</summary>
    public static ConfigurationOptions SentinelProbeOptions(ConfigurationOptions failed, EndPoint endpoint, bool abortOnConnectFail)
    {
        var probe = new ConfigurationOptions
        {
            CommandMap = CommandMap.Sentinel,
            TieBreaker = string.Empty,
            User = failed.SentinelUser,
            Password = failed.SentinelPassword,
            Ssl = failed.Ssl,
            SslHost = failed.SslHost,
            ConnectTimeout = Math.Min(failed.ConnectTimeout, 2000),
            SyncTimeout = Math.Min(failed.SyncTimeout, 2000),
            AsyncTimeout = Math.Min(failed.AsyncTimeout, 2000),
            AbortOnConnectFail = abortOnConnectFail,
            ClientName = failed.ClientName,
        };
        probe.EndPoints.Add(endpoint);
        return probe;
    }
}
