using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using RedisCaching.Internal.Shared;
using StackExchange.Redis;

namespace RedisCaching.Diagnostics.Internal;

/// <summary>
/// <see cref="ICacheAdministration"/> over one cache. INFO is sent to each primary inside a one-line <c>EVAL</c>
/// (StackExchange.Redis sends INFO itself only in admin mode); the previous figures per node are kept for the deltas.
/// </summary>
internal sealed class CacheAdministration(ICache cache, TimeProvider time) : ICacheAdministration
{
    private const string InfoScript = "return redis.call('INFO')";

    private readonly ConcurrentDictionary<string, RedisNodeStats> _previous = new(StringComparer.Ordinal);
    private DateTimeOffset? _previousTakenAt;

    public async Task<CacheStatsSnapshot> GetStatsAsync(CancellationToken cancellationToken = default)
    {
        if (cache is not ICacheKeySpace keySpace || cache is not ICacheStatistics statistics)
        {
            throw new InvalidOperationException("The cache is not a RedisCaching engine (a decorator hides it): no statistics to read.");
        }

        var multiplexer = await keySpace.Connection.GetMultiplexerAsync(cancellationToken).ConfigureAwait(false);

        // After a cluster failover the promoted replica is a primary: its figures belong in the snapshot.
        await ClusterView.RefreshIfAPrimaryIsDownAsync(multiplexer).ConfigureAwait(false);
        var nodes = new List<RedisNodeStats>();
        foreach (var endpoint in multiplexer.GetEndPoints())
        {
            var server = multiplexer.GetServer(endpoint);
            if (server.IsReplica)
            {
                continue;
            }

            nodes.Add(await ReadNodeAsync(server, cancellationToken).ConfigureAwait(false));
        }

        var takenAt = time.GetUtcNow();
        var snapshot = new CacheStatsSnapshot
        {
            TakenAt = takenAt,
            PreviousTakenAt = _previousTakenAt,
            Cache = statistics.GetStatistics(),
            Nodes = nodes,
        };
        _previousTakenAt = takenAt;
        return snapshot;
    }

    private async Task<RedisNodeStats> ReadNodeAsync(IServer server, CancellationToken cancellationToken)
    {
        var name = server.EndPoint.ToString() ?? "?";
        RedisInfo info;
        try
        {
            var reply = await server.ExecuteAsync("EVAL", [InfoScript, 0]).WaitAsync(cancellationToken).ConfigureAwait(false);
            info = RedisInfo.Parse(reply.ToString() ?? string.Empty);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            return new RedisNodeStats { Endpoint = name, Error = ex.GetType().Name + ": " + ex.Message };
        }

        _previous.TryGetValue(name, out var before);
        var now = new RedisNodeStats
        {
            Endpoint = name,
            UsedMemory = info.Long("used_memory"),
            MaxMemory = info.Long("maxmemory"),
            FragmentationRatio = info.Double("mem_fragmentation_ratio"),
            ConnectedClients = info.Long("connected_clients"),
            TrackingClients = info.Long("tracking_clients"),
            TrackingKeys = info.Long("tracking_total_keys"),
            EvictedKeys = info.Long("evicted_keys"),
            ExpiredKeys = info.Long("expired_keys"),
            KeyspaceHits = info.Long("keyspace_hits"),
            KeyspaceMisses = info.Long("keyspace_misses"),
            EvictedKeysDelta = Delta(before?.EvictedKeys, info.Long("evicted_keys")),
            ExpiredKeysDelta = Delta(before?.ExpiredKeys, info.Long("expired_keys")),
            KeyspaceHitsDelta = Delta(before?.KeyspaceHits, info.Long("keyspace_hits")),
            KeyspaceMissesDelta = Delta(before?.KeyspaceMisses, info.Long("keyspace_misses")),
        };
        _previous[name] = now;
        return now;
    }

    public Task<KeyAnalysisReport> AnalyzeKeysAsync(KeyAnalysisOptions? options = null, CancellationToken cancellationToken = default) =>
        cache is ICacheKeySpace keySpace
            ? KeyAnalyzer.AnalyzeAsync(keySpace, options ?? new KeyAnalysisOptions(), time, cancellationToken)
            : throw new InvalidOperationException("The cache is not a RedisCaching engine (a decorator hides it): no key space to analyse.");

    /// <summary>Null without a previous figure, or when the counter went back (the node restarted or was reset).</summary>
    private static long? Delta(long? before, long now) => before is { } b && now >= b ? now - b : null;
}
