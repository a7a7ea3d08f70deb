using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using System.Net.Sockets;
using System.Text;
using System.Threading;
using RedisCaching.Testing;

namespace RedisCaching.Core.Tests.HighAvailability;

/// <summary>
/// An independent witness of the servers and the box: one thread per data node sends a raw <c>PING</c> every 20 ms on
/// a plain socket (no StackExchange.Redis, no thread pool) and records every reply slower than
/// <see cref="StallThreshold"/>, so a late cache failure says whether the server was slow too. A further thread queues a work
/// item to the thread pool every 20 ms and records when one waited longer than the threshold (a starved pool delays
/// every reply StackExchange.Redis completes there), and notes its own oversleeping (a GC pause, a starved box).
/// With <c>RC_STALL_STACKS</c> set to a file path and <c>dotnet-stack</c> installed, the first pool stall also writes
/// every thread's stack there, taken while the pool is still stuck.
/// </summary>
internal sealed class ServerStallProbe : IDisposable
{
    /// <summary>A reply this slow counts as a stall.</summary>
    public static readonly TimeSpan StallThreshold = TimeSpan.FromMilliseconds(300);

    private readonly Func<TimeSpan> _clock;
    private readonly CancellationTokenSource _stop = new();

    /// <param name="nodes">The data nodes to ping (a password, if any, is not supported: the topology tests run without).</param>
    /// <param name="clock">The test's clock, so the stalls line up with its failures.</param>
    public ServerStallProbe(IEnumerable<IRedisTestNode> nodes, Func<TimeSpan> clock)
    {
        _clock = clock;
        foreach (var node in nodes)
        {
            var port = node.Port;
            var thread = new Thread(() => PingLoop(port)) { IsBackground = true, Name = $"stall probe {port}" };
            thread.Start();
        }

        var pool = new Thread(PoolLoop) { IsBackground = true, Name = "stall probe thread pool" };
        pool.Start();
    }

    /// <summary>Work items that waited in the thread pool longer than <see cref="StallThreshold"/>, and this probe's own oversleeping.</summary>
    public ConcurrentQueue<string> PoolStalls { get; } = new();

    /// <summary>Replies slower than <see cref="StallThreshold"/>, and pings that failed: the node's port, when sent, how long until the reply (or the failure).</summary>
    public ConcurrentQueue<(int Port, TimeSpan SentAt, TimeSpan Took, bool Failed)> Stalls { get; } = new();

    /// <summary>Every stall, one line each, for the test's output.</summary>
    public IEnumerable<string> Describe() =>
        Stalls.Select(static stall => string.Create(
            CultureInfo.InvariantCulture,
            $"probe {stall.Port}: ping sent at {stall.SentAt.TotalSeconds:0.000} s {(stall.Failed ? "failed" : "answered")} after {stall.Took.TotalMilliseconds:0} ms"))
        .Concat(PoolStalls);

    /// <summary>Stops probing (the threads end on their own; nothing here blocks the caller's thread).</summary>
    public void Dispose() => _stop.Cancel();

    private void PoolLoop()
    {
        using var ran = new ManualResetEventSlim();
        var stacksTaken = false;
        while (!_stop.IsCancellationRequested)
        {
            var queuedAt = _clock();
            var timer = Stopwatch.StartNew();
            ran.Reset();
            ThreadPool.UnsafeQueueUserWorkItem(static state => state.Set(), ran, preferLocal: false);
            if (!ran.Wait(StallThreshold))
            {
                if (!stacksTaken && Environment.GetEnvironmentVariable("RC_STALL_STACKS") is { Length: > 0 } path)
                {
                    stacksTaken = true;
                    TakeStacks(path);
                }

                // Stopped while the pool was stuck: the test is tearing down, and its own waits do not count.
                WaitHandle.WaitAny([ran.WaitHandle, _stop.Token.WaitHandle], TimeSpan.FromSeconds(10));
                if (_stop.IsCancellationRequested)
                {
                    return;
                }

                PoolStalls.Enqueue(string.Create(
                    CultureInfo.InvariantCulture,
                    $"thread pool: a work item queued at {queuedAt.TotalSeconds:0.000} s ran after {timer.Elapsed.TotalMilliseconds:0} ms (threads {ThreadPool.ThreadCount}, pending {ThreadPool.PendingWorkItemCount})"));
            }

            var sleep = Stopwatch.StartNew();
            _stop.Token.WaitHandle.WaitOne(20);
            if (sleep.Elapsed >= StallThreshold)
            {
                PoolStalls.Enqueue(string.Create(CultureInfo.InvariantCulture, $"probe thread: a 20 ms sleep from {(_clock() - sleep.Elapsed).TotalSeconds:0.000} s took {sleep.Elapsed.TotalMilliseconds:0} ms"));
            }
        }
    }

    private void TakeStacks(string path)
    {
        var tool = System.IO.Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".dotnet", "tools", "dotnet-stack");
        if (!System.IO.File.Exists(tool))
        {
            return;
        }

        using var process = Process.Start(new ProcessStartInfo(tool, $"report -p {Environment.ProcessId}") { RedirectStandardOutput = true, UseShellExecute = false });
        if (process is not null)
        {
            var stacks = process.StandardOutput.ReadToEnd();
            process.WaitForExit(30_000);
            System.IO.File.WriteAllText(path, $"taken at {_clock().TotalSeconds:0.000} s\n{stacks}");
            PoolStalls.Enqueue($"thread pool stalled: every thread's stack written to {path}");
        }
    }

    private void PingLoop(int port)
    {
        var ping = Encoding.ASCII.GetBytes("PING\r\n");
        var reply = new byte[64];
        Socket? socket = null;
        var failing = false;
        while (!_stop.IsCancellationRequested)
        {
            var sentAt = _clock();
            var timer = Stopwatch.StartNew();
            try
            {
                if (socket is null)
                {
                    socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true, ReceiveTimeout = 5000, SendTimeout = 5000 };
                    socket.Connect("127.0.0.1", port);
                    timer.Restart();
                    sentAt = _clock();
                }

                socket.Send(ping);
                var read = 0;
                while (read < 7)
                {
                    var n = socket.Receive(reply, read, reply.Length - read, SocketFlags.None);
                    if (n == 0)
                    {
                        throw new SocketException((int)SocketError.ConnectionReset);
                    }

                    read += n;
                }

                failing = false;
                if (timer.Elapsed >= StallThreshold)
                {
                    Stalls.Enqueue((port, sentAt, timer.Elapsed, false));
                }
            }
            catch (SocketException)
            {
                // A killed node, or one that closed the connection (a demotion): noted once until it answers again.
                if (!failing)
                {
                    Stalls.Enqueue((port, sentAt, timer.Elapsed, true));
                    failing = true;
                }

                socket?.Dispose();
                socket = null;
                _stop.Token.WaitHandle.WaitOne(200);
            }

            _stop.Token.WaitHandle.WaitOne(20);
        }

        socket?.Dispose();
    }
}
