using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using System.Threading.Tasks;

namespace RedisCaching.Testing;

/// <summary>Readiness and the failover helpers.</summary>
public sealed partial class RedisSentinelTopology
{
    /// <summary>
    /// Waits until the topology is whole again: every sentinel names the same primary and sees it, the replica and
    /// the two other sentinels, none flags anything down, and the replica's link to the primary is up.
    /// </summary>
    /// <exception cref="InvalidOperationException">A process is stopped or killed: restart it first.</exception>
    /// <exception cref="TimeoutException">Not ready within <see cref="RedisSentinelOptions.ReadyTimeout"/>; says what is missing.</exception>
    public Task WaitUntilReadyAsync()
    {
        if (_dataNodes.Concat(_sentinels).FirstOrDefault(n => !n.IsRunning) is { } stopped)
        {
            throw new InvalidOperationException($"{stopped} is not running: restart it before waiting for the whole topology.");
        }

        return Poll.UntilAsync("Sentinel topology ready", Options.ReadyTimeout, ReadinessGapAsync);
    }

    /// <summary>
    /// <c>SENTINEL FAILOVER</c> (after waiting until the topology is ready), then waits until every sentinel names
    /// the replica as the primary and it accepts writes. The old primary is demoted to a replica by the sentinels.
    /// </summary>
    public async Task<RedisFailoverResult> FailoverAsync()
    {
        await WaitUntilReadyAsync().ConfigureAwait(false);
        var oldPrimary = await GetPrimaryAsync().ConfigureAwait(false);
        var clock = Stopwatch.StartNew();
        var reply = await _sentinels[0].RunCliAsync("SENTINEL", "FAILOVER", ServiceName).ConfigureAwait(false);
        if (reply != "OK")
        {
            throw new InvalidOperationException($"SENTINEL FAILOVER {ServiceName} replied: {reply}");
        }

        var newPrimary = await WaitForNewPrimaryAsync(oldPrimary).ConfigureAwait(false);
        return new RedisFailoverResult(oldPrimary, newPrimary, clock.Elapsed);
    }

    /// <summary>
    /// Kills the primary with SIGKILL (after waiting until the topology is ready), then waits until every running
    /// sentinel names the replica as the primary and it accepts writes. The killed node stays down until the
    /// test restarts it (the sentinels then make it a replica; that can take up to 10 s, their INFO period).
    /// </summary>
    public async Task<RedisFailoverResult> KillPrimaryAsync()
    {
        await WaitUntilReadyAsync().ConfigureAwait(false);
        var oldPrimary = await GetPrimaryAsync().ConfigureAwait(false);
        var clock = Stopwatch.StartNew();
        await oldPrimary.KillAsync().ConfigureAwait(false);
        var newPrimary = await WaitForNewPrimaryAsync(oldPrimary).ConfigureAwait(false);
        return new RedisFailoverResult(oldPrimary, newPrimary, clock.Elapsed);
    }

    private async Task<IRedisTestNode> WaitForNewPrimaryAsync(IRedisTestNode oldPrimary)
    {
        RedisProcessServer? newPrimary = null;
        await Poll.UntilAsync($"a new primary instead of {oldPrimary}", Options.ReadyTimeout, async () =>
        {
            var ports = await Task.WhenAll(_sentinels.Where(s => s.IsRunning).Select(PrimaryPortSeenByAsync)).ConfigureAwait(false);
            if (ports.Distinct().Count() != 1 || ports[0] == oldPrimary.Port)
            {
                return "sentinels name the primaries " + string.Join(' ', ports);
            }

            var candidate = DataNodeAt(ports[0]);
            var role = RedisReply.Fields(await candidate.RunCliAsync("INFO", "replication").ConfigureAwait(false)).Get("role");
            if (role != "master")
            {
                return $"{candidate} is named the primary but reports role:{role}";
            }

            newPrimary = candidate;
            return null;
        }).ConfigureAwait(false);
        return newPrimary!;
    }

    private async Task<string?> ReadinessGapAsync()
    {
        var ports = await Task.WhenAll(_sentinels.Select(PrimaryPortSeenByAsync)).ConfigureAwait(false);
        if (ports.Distinct().Count() != 1)
        {
            return "sentinels name different primaries: " + string.Join(' ', ports);
        }

        var primary = DataNodeAt(ports[0]);
        if (RedisReply.Fields(await primary.RunCliAsync("INFO", "replication").ConfigureAwait(false)).Get("role") != "master")
        {
            return $"{primary} is named the primary but is not one (yet)";
        }

        foreach (var replica in _dataNodes.Where(n => n != primary))
        {
            if (ReplicaLinkMissing(await replica.RunCliAsync("INFO", "replication").ConfigureAwait(false), primary.Port) is { } gap)
            {
                return $"{replica}: {gap}";
            }
        }

        foreach (var sentinel in _sentinels)
        {
            if (await SentinelViewGapAsync(sentinel, primary).ConfigureAwait(false) is { } gap)
            {
                return $"sentinel {sentinel.Port}: {gap}";
            }
        }

        return null;
    }

    /// <summary>Null when the sentinel sees the primary up, every replica up, and the two other sentinels.</summary>
    private async Task<string?> SentinelViewGapAsync(RedisProcessServer sentinel, RedisProcessServer primary)
    {
        var master = RedisReply.Pairs(await sentinel.RunCliAsync("SENTINEL", "MASTER", ServiceName).ConfigureAwait(false));
        if (master.Get("flags") != "master" || master.Get("num-other-sentinels") != "2")
        {
            return $"flags:{master.Get("flags")} num-other-sentinels:{master.Get("num-other-sentinels")}";
        }

        var replicas = ReplicaRecords(await sentinel.RunCliAsync("SENTINEL", "REPLICAS", ServiceName).ConfigureAwait(false));
        foreach (var replica in _dataNodes.Where(n => n != primary))
        {
            var port = replica.Port.ToString(CultureInfo.InvariantCulture);
            var seen = replicas.FirstOrDefault(r => r.Get("port") == port);
            if (seen is null || seen.Get("flags") != "slave")
            {
                return $"replica {port} flags:{seen?.Get("flags") ?? "(unknown to the sentinel)"}";
            }
        }

        return null;
    }

    /// <summary>redis-cli prints SENTINEL REPLICAS as one line per field; each replica's fields start with "name".</summary>
    private static List<Dictionary<string, string>> ReplicaRecords(string reply)
    {
        var records = new List<Dictionary<string, string>>();
        var lines = reply.Split('\n', StringSplitOptions.TrimEntries);
        for (var i = 0; i + 1 < lines.Length; i += 2)
        {
            if (lines[i] == "name" || records.Count == 0)
            {
                records.Add(new Dictionary<string, string>(StringComparer.Ordinal));
            }

            records[^1][lines[i]] = lines[i + 1];
        }

        return records;
    }
}
