using System;
using System.Linq;
using System.Net;

namespace RedisCaching.Internal.Telemetry;

/// <summary>
/// The <c>server.address</c> / <c>server.port</c> of the Redis commands' metrics: the first configured endpoint
/// (the semantic conventions ask for the logical address the client was given, not the node a command went to).
/// </summary>
internal sealed record RedisServerTags(string? Address, int? Port)
{
    /// <summary>The port boxed once: a tag value is an object, and boxing it per command would allocate per call.</summary>
    public object? PortTag { get; } = Port;

    public static RedisServerTags From(RedisConnectionOptions options)
    {
        try
        {
            if (!string.IsNullOrEmpty(options.Host))
            {
                return new RedisServerTags(options.Host, options.Port ?? 6379);
            }

            // The library's own parser: StackExchange.Redis's would take a redis:// URI (REDIS_URL) for a host name.
            var text = options.Endpoints.FirstOrDefault() ?? options.ConnectionString;
            return string.IsNullOrEmpty(text)
                ? new RedisServerTags(null, null)
                : ConnectionStringParser.Parse(text).Options.EndPoints.FirstOrDefault() switch
                {
                    DnsEndPoint dns => new RedisServerTags(dns.Host, dns.Port == 0 ? 6379 : dns.Port),
                    IPEndPoint ip => new RedisServerTags(ip.Address.ToString(), ip.Port == 0 ? 6379 : ip.Port),
                    _ => new RedisServerTags(null, null),
                };
        }
        catch (Exception ex) when (ex is ArgumentException or RedisCachingConfigurationException)
        {
            // A connection string the connection layer will reject with a clear message; telemetry just goes without.
            return new RedisServerTags(null, null);
        }
    }
}
