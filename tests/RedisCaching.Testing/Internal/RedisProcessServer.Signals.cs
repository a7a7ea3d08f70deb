using System;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Threading;
using System.Threading.Tasks;

namespace RedisCaching.Testing;

/// <summary>Stopping, pausing and resuming the process: signals by pid.</summary>
internal sealed partial class RedisProcessServer
{
    /// <summary>SIGTERM (redis shuts down without saving), then SIGKILL if it is still alive after a short wait.</summary>
    private async Task StopProcessAsync()
    {
        var process = _process;
        if (process is null)
        {
            return;
        }

        _process = null;
        var pid = process.Id;
        if (!process.HasExited)
        {
            // A stopped process cannot act on SIGTERM.
            PosixSignal.Send(pid, PosixSignal.Continue);
            PosixSignal.Send(pid, PosixSignal.Term);
            using var cts = new CancellationTokenSource(GracefulStopTimeout);
            try
            {
                await process.WaitForExitAsync(cts.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                process.Kill();
                await process.WaitForExitAsync().ConfigureAwait(false);
            }
        }

        _paused = false;
        RedisProcessRegistry.Unregister(pid);
        process.Dispose();
    }

    /// <summary>SIGKILL by pid: the process gets no chance to close anything.</summary>
    public Task KillAsync() => ExclusiveAsync(async () =>
    {
        var process = _process;
        if (process is null)
        {
            return;
        }

        _process = null;
        var pid = process.Id;
        if (!process.HasExited)
        {
            process.Kill();
            await process.WaitForExitAsync().ConfigureAwait(false);
        }

        _paused = false;
        RedisProcessRegistry.Unregister(pid);
        process.Dispose();
    });

    private Task SignalAsync(int signal, bool paused) => ExclusiveAsync(async () =>
    {
        var process = _process ?? throw new InvalidOperationException("The server is not running.");
        if (_paused != paused && !PosixSignal.Send(process.Id, signal))
        {
            throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture, $"Could not signal redis-server pid {process.Id}."));
        }

        _paused = paused;
        // Signals are delivered asynchronously: wait until the kernel shows the new state, so a test that
        // pauses and then calls knows the server is frozen (or thawed).
        var clock = Stopwatch.StartNew();
        while (IsStopped(process.Id) != paused && clock.Elapsed < TimeSpan.FromSeconds(2))
        {
            await Task.Delay(5).ConfigureAwait(false);
        }
    });

    /// <summary>Whether /proc/&lt;pid&gt;/stat shows the process stopped ('T'); its name may hold spaces, so read after the last ')'.</summary>
    private static bool IsStopped(int pid)
    {
        try
        {
            var stat = File.ReadAllText(string.Create(CultureInfo.InvariantCulture, $"/proc/{pid}/stat"));
            var state = stat[stat.LastIndexOf(')') + 2];
            return state is 'T' or 't';
        }
        catch (IOException)
        {
            return false;
        }
    }
}
