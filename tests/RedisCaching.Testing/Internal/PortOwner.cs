using System;
using System.Globalization;
using System.IO;
using System.Linq;

namespace RedisCaching.Testing;

/// <summary>
/// Whether a given process is the one listening on a port. A server that lost the race for its port still "answers"
/// the readiness probe for a moment, through whichever process got the port (e.g. a cluster node of another test);
/// without this check the harness would take that stranger for its own server.
/// </summary>
internal static class PortOwner
{
    private const string ListenState = "0A";

    /// <summary>True when <paramref name="pid"/> holds a listening TCP socket on <paramref name="port"/>; also true where /proc cannot tell.</summary>
    public static bool IsListenedBy(int pid, int port)
    {
        try
        {
            var hexPort = port.ToString("X4", CultureInfo.InvariantCulture);
            var inodes = new[] { "/proc/net/tcp", "/proc/net/tcp6" }
                .Where(File.Exists)
                .SelectMany(File.ReadLines)
                .Select(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries))
                // sl local_address rem_address st ... inode (the 10th column)
                .Where(f => f.Length > 9 && f[3] == ListenState && f[1].EndsWith(":" + hexPort, StringComparison.Ordinal))
                .Select(f => "socket:[" + f[9] + "]")
                .ToHashSet(StringComparer.Ordinal);
            if (inodes.Count == 0)
            {
                return false;
            }

            return new DirectoryInfo($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/fd").EnumerateFileSystemInfos()
                .Any(fd => fd.LinkTarget is { } target && inodes.Contains(target));
        }
        catch (DirectoryNotFoundException)
        {
            // The process is gone: it is not listening anywhere.
            return false;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // No /proc (not Linux) or not allowed to look: fall back to trusting the probe.
            return true;
        }
    }
}
