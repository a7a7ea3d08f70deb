using System.Threading.Tasks;

namespace RedisCaching.Testing;

/// <summary>
/// One process of a Sentinel or Cluster topology (a data node or a sentinel): a <see cref="IRedisTestServer"/>
/// that can also be killed the hard way, to test what a crash does that a clean stop does not.
/// </summary>
public interface IRedisTestNode : IRedisTestServer
{
    /// <summary>
    /// Kills the process with SIGKILL (no shutdown, sockets reset by the kernel) and waits until it is gone;
    /// <see cref="IRedisTestServer.RestartAsync"/> starts it again on the same port with the same folder.
    /// Does nothing when the process is not running.
    /// </summary>
    Task KillAsync();

    /// <summary>Whether the process is running (started and neither stopped nor killed).</summary>
    bool IsRunning { get; }
}
