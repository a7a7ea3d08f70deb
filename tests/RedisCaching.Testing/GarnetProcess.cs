using System;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Net;
using System.Net.Sockets;
using System.Threading.Tasks;

namespace RedisCaching.Testing;

/// <summary>
/// A Garnet server (Redis-compatible, refuses CLIENT TRACKING, so caches fall back to the backplane) on a free loopback
/// port, stopped by its pid (the process this object started, never another).
/// </summary>
public sealed class GarnetProcess : IAsyncDisposable
{
    private readonly Process _process;

    private GarnetProcess(Process process, int port)
    {
        _process = process;
        Port = port;
    }

    /// <summary>The loopback port it listens on.</summary>
    public int Port { get; }

    /// <summary>The garnet-server dotnet tool, or null when it is not installed (<c>dotnet tool install -g garnet-server</c>).</summary>
    public static string? FindExecutable()
    {
        var path = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".dotnet", "tools", "garnet-server");
        return File.Exists(path) ? path : null;
    }

    /// <summary>Starts garnet-server on a free loopback port and waits (up to 20 s) until it accepts connections.</summary>
    /// <param name="executable">The path <see cref="FindExecutable"/> returned.</param>
    /// <returns>The running server; dispose it to stop it.</returns>
    public static async Task<GarnetProcess> StartAsync(string executable)
    {
        var port = FreePort();
        var info = new ProcessStartInfo(executable) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in new[] { "--port", port.ToString(CultureInfo.InvariantCulture), "--bind", "127.0.0.1" })
        {
            info.ArgumentList.Add(argument);
        }

        var process = Process.Start(info) ?? throw new InvalidOperationException("garnet-server did not start");
        process.OutputDataReceived += static (_, _) => { };
        process.ErrorDataReceived += static (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var garnet = new GarnetProcess(process, port);
        var stopwatch = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, port);
                return garnet;
            }
            catch (SocketException) when (stopwatch.Elapsed < TimeSpan.FromSeconds(20) && !process.HasExited)
            {
                await Task.Delay(100);
            }
            catch
            {
                await garnet.DisposeAsync();
                throw;
            }
        }
    }

    /// <summary>Stops the server this object started (by its process, so by pid).</summary>
    /// <returns>A task that completes when the process has exited.</returns>
    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
