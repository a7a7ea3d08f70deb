using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Net;
using System.Threading.Tasks;
using StackExchange.Redis;

namespace RedisCaching.Testing;

/// <summary>
/// A primary, a replica and three <c>redis-sentinel</c> processes monitoring them under <see cref="ServiceName"/>
/// (quorum 2), all on free loopback ports, each in its own temporary folder. Start it with
/// <see cref="RedisTestServers.StartSentinelAsync"/>; disposing it stops every process by pid and removes the folders.
/// </summary>
/// <remarks>Roles move: after a failover the replica is the primary. Ask <see cref="GetPrimaryAsync"/>.</remarks>
public sealed partial class RedisSentinelTopology : IAsyncDisposable
{
    private readonly RedisProcessServer[] _dataNodes;
    private readonly RedisProcessServer[] _sentinels;

    private RedisSentinelTopology(RedisSentinelOptions options, string? dataPassword, string? sentinelPassword, RedisProcessServer[] dataNodes, RedisProcessServer[] sentinels)
    {
        Options = options;
        DataPassword = dataPassword;
        SentinelPassword = sentinelPassword;
        _dataNodes = dataNodes;
        _sentinels = sentinels;
    }

    /// <summary>The settings it was started with.</summary>
    public RedisSentinelOptions Options { get; }

    /// <summary>The name the sentinels monitor the primary under.</summary>
    public string ServiceName => Options.ServiceName;

    /// <summary>The data nodes' password, or null when <see cref="RedisSentinelOptions.RequireDataPassword"/> is off.</summary>
    public string? DataPassword { get; }

    /// <summary>The sentinels' password, or null when <see cref="RedisSentinelOptions.RequireSentinelPassword"/> is off.</summary>
    public string? SentinelPassword { get; }

    /// <summary>
    /// The TLS material (the test CA, the wrong CA, the PEM files of the first data node) when
    /// <see cref="RedisSentinelOptions.UseTls"/> is on; every process uses the same certificates. Null otherwise.
    /// </summary>
    public RedisTestTls? Tls => _dataNodes[0].Tls;

    /// <summary>The data nodes: the first started as the primary, the second as its replica.</summary>
    public IReadOnlyList<IRedisTestNode> DataNodes => _dataNodes;

    /// <summary>The three sentinels.</summary>
    public IReadOnlyList<IRedisTestNode> Sentinels => _sentinels;

    /// <summary>The sentinels' endpoints, what a client is configured with.</summary>
    public IReadOnlyList<EndPoint> SentinelEndpoints => [.. _sentinels.Select(s => new IPEndPoint(IPAddress.Loopback, s.Port))];

    /// <summary>How long <see cref="RedisTestServers.StartSentinelAsync"/> took until the topology was ready.</summary>
    public TimeSpan StartDuration { get; private set; }

    /// <summary>
    /// Options for a client that finds the primary through the sentinels (<see cref="ConfigurationOptions.ServiceName"/>
    /// plus the sentinel endpoints and both passwords), with <c>abortConnect=false</c>; with TLS, trusting only the
    /// test CA. A new instance each call.
    /// </summary>
    public ConfigurationOptions CreateConfigurationOptions()
    {
        var options = new ConfigurationOptions
        {
            ServiceName = ServiceName,
            Password = DataPassword,
            SentinelPassword = SentinelPassword,
            AbortOnConnectFail = false,
        };
        foreach (var endpoint in SentinelEndpoints)
        {
            options.EndPoints.Add(endpoint);
        }

        if (Tls is { } tls)
        {
            options.Ssl = true;
            options.SslHost = RedisTestTls.ServerHostName;
            options.CertificateValidation += RedisTestTls.CreateValidator(tls.CaCertificate);
        }

        return options;
    }

    /// <summary>The data node a running sentinel names as the primary now (<c>SENTINEL GET-MASTER-ADDR-BY-NAME</c>).</summary>
    /// <exception cref="InvalidOperationException">No sentinel answers, or it names an unknown address.</exception>
    public async Task<IRedisTestNode> GetPrimaryAsync()
    {
        foreach (var sentinel in _sentinels.Where(s => s.IsRunning))
        {
            try
            {
                return DataNodeAt(await PrimaryPortSeenByAsync(sentinel).ConfigureAwait(false));
            }
            catch (Exception ex) when (ex is InvalidOperationException or TimeoutException or FormatException)
            {
                // Ask the next one.
            }
        }

        throw new InvalidOperationException($"No sentinel named the primary of {ServiceName}.");
    }

    /// <summary>Stops every process (sentinels first, so they do not fail over while the data nodes go) and removes the folders.</summary>
    public async ValueTask DisposeAsync()
    {
        foreach (var sentinel in _sentinels)
        {
            await sentinel.DisposeAsync().ConfigureAwait(false);
        }

        foreach (var node in _dataNodes)
        {
            await node.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <inheritdoc/>
    public override string ToString() =>
        $"Sentinel {ServiceName}: data {string.Join(' ', _dataNodes.Select(n => n.Port))}, sentinels {string.Join(' ', _sentinels.Select(s => s.Port))}";

    private async Task<int> PrimaryPortSeenByAsync(RedisProcessServer sentinel)
    {
        var reply = await sentinel.RunCliAsync("SENTINEL", "GET-MASTER-ADDR-BY-NAME", ServiceName).ConfigureAwait(false);
        var lines = reply.Split('\n', StringSplitOptions.TrimEntries);
        return lines.Length == 2 ? int.Parse(lines[1], CultureInfo.InvariantCulture) : throw new InvalidOperationException($"SENTINEL GET-MASTER-ADDR-BY-NAME replied: {reply}");
    }

    private RedisProcessServer DataNodeAt(int port) =>
        _dataNodes.FirstOrDefault(n => n.Port == port)
        ?? throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture, $"A sentinel named 127.0.0.1:{port} as the primary, which is none of the data nodes."));
}
