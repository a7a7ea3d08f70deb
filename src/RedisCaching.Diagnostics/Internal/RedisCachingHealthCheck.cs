using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using StackExchange.Redis;

namespace RedisCaching.Diagnostics.Internal;

/// <summary>
/// One health check of one cache: Redis reachable (else the failure status), then each threshold of
/// <see cref="RedisCachingHealthCheckOptions"/>; every finding past a threshold makes it Degraded and is named in the
/// description. The data carries the measured values (never a key).
/// </summary>
internal sealed class RedisCachingHealthCheck(IServiceProvider services, RedisCachingHealthCheckOptions options) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var cache = options.CacheName is null
            ? services.GetRequiredService<ICache>()
            : services.GetRequiredService<ICacheProvider>().GetCache(options.CacheName);
        if (cache is not ICacheKeySpace keySpace || cache is not ICacheStatistics statistics)
        {
            return new HealthCheckResult(context.Registration.FailureStatus, "The cache is not a RedisCaching engine (a decorator hides it); nothing to check.");
        }

        var data = new Dictionary<string, object>(StringComparer.Ordinal);
        using var budget = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        budget.CancelAfter(options.Timeout);
        double latencyMs;
        RedisMemoryInfo? memory;
        try
        {
            var multiplexer = await keySpace.Connection.GetMultiplexerAsync(budget.Token).ConfigureAwait(false);
            if (!multiplexer.IsConnected)
            {
                return new HealthCheckResult(context.Registration.FailureStatus, "No connection to Redis.", data: data);
            }

            var database = multiplexer.GetDatabase();
            latencyMs = await PingPercentileAsync(database, budget.Token).ConfigureAwait(false);
            memory = await ReadMemoryAsync(multiplexer, database, budget.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException or ObjectDisposedException
                                   || (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            return new HealthCheckResult(context.Registration.FailureStatus, $"Redis did not answer within {options.Timeout.TotalSeconds:0.#} s: {ex.GetType().Name}.", ex, data);
        }

        var findings = new List<string>();
        data["redis.ping.latency_ms"] = latencyMs;
        if (latencyMs > options.LatencyDegradedThreshold.TotalMilliseconds)
        {
            findings.Add(string.Create(CultureInfo.InvariantCulture, $"PING p{options.LatencyPercentile * 100:0.#} {latencyMs:0.#} ms is over {options.LatencyDegradedThreshold.TotalMilliseconds:0.#} ms"));
        }

        if (memory is not { } read)
        {
            data["redis.memory"] = "not readable (INFO through EVAL refused)";
        }
        else if (Record(read, data) is { } ratio)
        {
            data["redis.memory_ratio"] = ratio;
            if (ratio > options.MemoryDegradedRatio)
            {
                findings.Add(string.Create(CultureInfo.InvariantCulture, $"Redis memory at {ratio:P0} of maxmemory (over {options.MemoryDegradedRatio:P0})"));
            }
        }

        Judge(statistics.GetStatistics(), data, findings);
        return findings.Count == 0
            ? HealthCheckResult.Healthy(string.Create(CultureInfo.InvariantCulture, $"Redis reachable, PING {latencyMs:0.##} ms."), data)
            : HealthCheckResult.Degraded(string.Join("; ", findings) + ".", data: data);
    }

    private static double? Record(RedisMemoryInfo memory, Dictionary<string, object> data)
    {
        data["redis.used_memory"] = memory.UsedBytes;
        data["redis.maxmemory"] = memory.MaxBytes;
        return memory.Ratio;
    }

    /// <summary>The cache's own state: hit rate, breaker, coherence.</summary>
    private void Judge(CacheStatistics stats, Dictionary<string, object> data, List<string> findings)
    {
        data["cache.requests"] = stats.Requests;
        if (stats.HitRate is { } hitRate)
        {
            data["cache.hit_rate"] = hitRate;
            if (stats.Requests >= options.MinimumRequestsForHitRate && hitRate < options.MinimumHitRate)
            {
                findings.Add(string.Create(CultureInfo.InvariantCulture, $"hit rate {hitRate:P0} is under {options.MinimumHitRate:P0}"));
            }
        }

        data["cache.circuit_state"] = stats.CircuitState.ToString();
        if (stats.CircuitState != RedisCircuitState.Closed)
        {
            findings.Add($"the circuit breaker around Redis is {stats.CircuitState}");
        }

        data["cache.coherence_mode"] = stats.CoherenceMode.ToString();
        if (stats.CoherenceMode == CacheCoherenceMode.Unavailable)
        {
            // Memory is bypassed until tracking or the backplane is back: correct, but every read goes to Redis.
            findings.Add("the in-process tier is not coherent (memory is bypassed)");
        }
    }

    /// <summary>
    /// <c>INFO memory</c>, through a one-line script: StackExchange.Redis only sends INFO itself with admin mode on,
    /// which an app should not need for a health check. Null when the script is refused (an ACL user without EVAL):
    /// the memory threshold is then not judged, and the data says why. On a cluster every connected primary is read and
    /// the fullest decides: each holds its own slots' data and reaches its maxmemory on its own.
    /// </summary>
    private static async Task<RedisMemoryInfo?> ReadMemoryAsync(IConnectionMultiplexer multiplexer, IDatabase database, CancellationToken cancellationToken)
    {
        try
        {
            var servers = multiplexer.GetServers();
            if (servers.Length == 0 || servers[0].ServerType != ServerType.Cluster)
            {
                var info = await database.ScriptEvaluateAsync(InfoScript).WaitAsync(cancellationToken).ConfigureAwait(false);
                return RedisMemoryInfo.Parse(info.ToString() ?? string.Empty);
            }

            RedisMemoryInfo? fullest = null;
            foreach (var server in servers)
            {
                if (server.IsReplica || !server.IsConnected)
                {
                    continue;
                }

                var reply = await server.ExecuteAsync("EVAL", [InfoScript, 0]).WaitAsync(cancellationToken).ConfigureAwait(false);
                var read = RedisMemoryInfo.Parse(reply.ToString() ?? string.Empty);
                if (fullest is not { } soFar || (read.Ratio ?? -1) > (soFar.Ratio ?? -1))
                {
                    fullest = read;
                }
            }

            return fullest;
        }
        catch (RedisServerException)
        {
            return null;
        }
    }

    private const string InfoScript = "return redis.call('INFO', 'memory')";

    /// <summary>Sends the PINGs one after another and returns the configured percentile of their round trips (nearest rank).</summary>
    private async Task<double> PingPercentileAsync(IDatabase database, CancellationToken cancellationToken)
    {
        var samples = new double[options.PingCount];
        for (var i = 0; i < samples.Length; i++)
        {
            var started = Stopwatch.GetTimestamp();
            await database.PingAsync().WaitAsync(cancellationToken).ConfigureAwait(false);
            samples[i] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        }

        Array.Sort(samples);
        var rank = (int)Math.Ceiling(options.LatencyPercentile * samples.Length);
        return samples[Math.Clamp(rank - 1, 0, samples.Length - 1)];
    }
}
