using System.Diagnostics;
using System.Threading.Tasks;
using NUnit.Framework;

namespace RedisCaching.Testing;

/// <summary>
/// A test fixture whose tests share one Redis Cluster (three primaries with a replica each): started once before them
/// (or failed/ignored with an actionable message when redis-server or cluster support is missing), stopped by pid
/// after them; how long the fixture took is printed under <see cref="FixtureName"/>, since CI time is budgeted.
/// </summary>
public abstract class ClusterTest
{
    private readonly Stopwatch _fixtureClock = new();

    /// <summary>The fixture's cluster, started once before its tests.</summary>
    protected RedisClusterTopology Cluster { get; private set; } = null!;

    /// <summary>The name the fixture's timing line is printed under.</summary>
    protected abstract string FixtureName { get; }

    /// <summary>Starts the cluster.</summary>
    /// <returns>A task that completes when the cluster serves every slot.</returns>
    [OneTimeSetUp]
    public async Task StartCluster()
    {
        RedisAvailability.RequireServer();
        RedisAvailability.RequireCluster(RedisTestEnvironment.FromEnvironmentVariables());
        _fixtureClock.Start();
        Cluster = await RedisTestServers.StartClusterAsync();
        TestContext.Progress.WriteLine($"[{FixtureName}] cluster started in {Cluster.StartDuration.TotalSeconds:0.00} s");
        await OnClusterStartedAsync();
    }

    /// <summary>Stops the cluster.</summary>
    /// <returns>A task that completes when every node has stopped.</returns>
    [OneTimeTearDown]
    public async Task StopCluster()
    {
        await OnStoppingAsync();
        if (Cluster is not null)
        {
            await Cluster.DisposeAsync();
        }

        TestContext.Progress.WriteLine($"[{FixtureName}] fixture took {_fixtureClock.Elapsed.TotalSeconds:0.00} s");
    }

    /// <summary>Runs once the cluster is up (open fixture-wide connections here).</summary>
    /// <returns>A completed task unless overridden.</returns>
    protected virtual Task OnClusterStartedAsync() => Task.CompletedTask;

    /// <summary>Runs before the cluster stops (close fixture-wide connections here).</summary>
    /// <returns>A completed task unless overridden.</returns>
    protected virtual Task OnStoppingAsync() => Task.CompletedTask;
}
