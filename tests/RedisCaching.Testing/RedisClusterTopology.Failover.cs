using System;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using System.Threading.Tasks;

namespace RedisCaching.Testing;

/// <summary>Readiness, the reshard and the failover helper.</summary>
public sealed partial class RedisClusterTopology
{
    /// <summary>
    /// Waits until every node reports <c>cluster_state:ok</c> with all slots served, all nodes describe the same
    /// three primaries, replicas and slots, no node is flagged failing, and every replica's link is up.
    /// </summary>
    /// <exception cref="InvalidOperationException">A node is stopped or killed: restart it first.</exception>
    /// <exception cref="TimeoutException">Not ready within <see cref="RedisClusterOptions.ReadyTimeout"/>; says what is missing.</exception>
    public Task WaitUntilReadyAsync()
    {
        if (_nodes.FirstOrDefault(n => !n.IsRunning) is { } stopped)
        {
            throw new InvalidOperationException($"{stopped} is not running: restart it before waiting for the whole cluster.");
        }

        return Poll.UntilAsync("Cluster ready", Options.ReadyTimeout, ReadinessGapAsync);
    }

    /// <summary>
    /// Moves <paramref name="slots"/> slots and their keys from <paramref name="from"/> to <paramref name="to"/>
    /// (both primaries) with <c>redis-cli --cluster reshard</c>, then waits until every node agrees. Returns how long
    /// the move took (without the waits before and after).
    /// </summary>
    public async Task<TimeSpan> ReshardAsync(int slots, IRedisTestNode from, IRedisTestNode to)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(slots);
        ArgumentNullException.ThrowIfNull(from);
        ArgumentNullException.ThrowIfNull(to);
        await WaitUntilReadyAsync().ConfigureAwait(false);
        var fromId = await GetNodeIdAsync(from).ConfigureAwait(false);
        var toId = await GetNodeIdAsync(to).ConfigureAwait(false);
        var clock = Stopwatch.StartNew();
        await CommandRunner.RunAsync(
            RedisExecutables.RequireCli(),
            [
                "--cluster", "reshard", $"127.0.0.1:{from.Port.ToString(CultureInfo.InvariantCulture)}",
                "--cluster-from", fromId, "--cluster-to", toId,
                "--cluster-slots", slots.ToString(CultureInfo.InvariantCulture), "--cluster-yes",
            ],
            Options.ReadyTimeout).ConfigureAwait(false);
        var elapsed = clock.Elapsed;
        await WaitUntilReadyAsync().ConfigureAwait(false);
        return elapsed;
    }

    /// <summary>
    /// Kills <paramref name="primary"/> with SIGKILL (after waiting until the cluster is ready), then waits until its
    /// replica is the primary of its slots on every running node and every running node reports
    /// <c>cluster_state:ok</c>. The killed node stays down until the test restarts it (it then rejoins as a replica).
    /// </summary>
    public async Task<RedisFailoverResult> KillPrimaryAsync(IRedisTestNode primary)
    {
        ArgumentNullException.ThrowIfNull(primary);
        await WaitUntilReadyAsync().ConfigureAwait(false);
        var view = await ViewAsync().ConfigureAwait(false);
        var killed = view.Single(n => n.Port == primary.Port);
        if (!killed.IsPrimary || killed.Slots.Count == 0)
        {
            throw new InvalidOperationException($"{primary} is not a primary owning slots.");
        }

        var replica = view.Single(n => n.PrimaryId == killed.Id);
        var heir = NodeAt(replica.Port);
        var clock = Stopwatch.StartNew();
        await primary.KillAsync().ConfigureAwait(false);
        await Poll.UntilAsync($"{heir} promoted in place of {primary}", Options.ReadyTimeout, async () =>
        {
            foreach (var node in _nodes.Where(n => n.IsRunning))
            {
                var state = RedisReply.Fields(await node.RunCliAsync("CLUSTER", "INFO").ConfigureAwait(false)).Get("cluster_state");
                if (state != "ok")
                {
                    return $"{node}: cluster_state:{state}";
                }

                var seen = ClusterNodeLine.ParseAll(await node.RunCliAsync("CLUSTER", "NODES").ConfigureAwait(false)).Single(n => n.Id == replica.Id);
                if (!seen.IsPrimary || seen.Slots.Count == 0)
                {
                    return $"{node} sees {heir} as {string.Join(',', seen.Flags)}";
                }
            }

            return null;
        }).ConfigureAwait(false);
        return new RedisFailoverResult(primary, heir, clock.Elapsed);
    }

    private async Task<string?> ReadinessGapAsync()
    {
        string? agreed = null;
        foreach (var node in _nodes)
        {
            var info = RedisReply.Fields(await node.RunCliAsync("CLUSTER", "INFO").ConfigureAwait(false));
            if (info.Get("cluster_state") != "ok" || info.Get("cluster_slots_ok") != SlotCount.ToString(CultureInfo.InvariantCulture)
                || info.Get("cluster_known_nodes") != NodeCount.ToString(CultureInfo.InvariantCulture))
            {
                return $"{node}: cluster_state:{info.Get("cluster_state")} cluster_slots_ok:{info.Get("cluster_slots_ok")} cluster_known_nodes:{info.Get("cluster_known_nodes")}";
            }

            var view = ClusterNodeLine.ParseAll(await node.RunCliAsync("CLUSTER", "NODES").ConfigureAwait(false));
            if (view.FirstOrDefault(n => n.IsTroubled) is { } troubled)
            {
                return $"{node} flags {troubled.Port} {string.Join(',', troubled.Flags)}";
            }

            var primaries = view.Where(n => n.IsPrimary && n.Slots.Count > 0).Select(n => n.Id).ToHashSet(StringComparer.Ordinal);
            if (primaries.Count != NodeCount / 2 || view.Count(n => n.PrimaryId is { } id && primaries.Contains(id)) != NodeCount / 2)
            {
                return $"{node} sees {primaries.Count} primaries owning slots and {view.Count(n => !n.IsPrimary)} replicas";
            }

            var signature = string.Join('|', view.Select(n => n.Signature).Order(StringComparer.Ordinal));
            if (agreed is not null && signature != agreed)
            {
                return $"{node} does not agree with the others yet";
            }

            agreed = signature;
            if (!view.Single(n => n.Flags.Contains("myself")).IsPrimary)
            {
                var link = RedisReply.Fields(await node.RunCliAsync("INFO", "replication").ConfigureAwait(false)).Get("master_link_status");
                if (link != "up")
                {
                    return $"{node}: master_link_status:{link}";
                }
            }
        }

        return null;
    }
}
