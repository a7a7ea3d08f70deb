using System.Net;
using System.Net.Sockets;

namespace RedisCaching.Testing;

/// <summary>Free loopback ports for servers that must be told their port up front (redis-server, containers).</summary>
internal static class FreePort
{
    /// <summary>
    /// Asks the kernel for a free port and releases it. Another process may take it before the server binds it,
    /// so callers retry with a new port when the server reports "Address already in use".
    /// </summary>
    public static int Next()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        try
        {
            return ((IPEndPoint)listener.LocalEndpoint).Port;
        }
        finally
        {
            listener.Stop();
        }
    }
}
