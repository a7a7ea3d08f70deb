using System;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;

namespace RedisCaching.Testing;

/// <summary>A redis-server process on a free loopback port with its own temporary folder.</summary>
internal sealed partial class RedisProcessServer : RedisTestServerBase, IRedisTestNode
{
    private const int MaxPortAttempts = 5;
    private static readonly TimeSpan GracefulStopTimeout = TimeSpan.FromSeconds(3);

    private readonly string _executable;
    private readonly string _directory;
    private readonly RedisServerLaunch _launch;
    private readonly TimeSpan _startTimeout;
    private readonly ConcurrentQueue<string> _output = new();
    private Process? _process;
    private bool _paused;

    private RedisProcessServer(string executable, string directory, int port, RedisTopology topology, RedisServerLaunch launch, RedisTestTls? tls, TimeSpan startTimeout)
        : base(topology, launch.User, launch.Password, tls)
    {
        _executable = executable;
        _directory = directory;
        Port = port;
        _launch = launch;
        _startTimeout = startTimeout;
    }

    public override string Host => "127.0.0.1";

    public override int Port { get; }

    public override string Kind => RedisTestServerKinds.Process;

    public override int? ProcessId => _process?.Id;

    public bool IsRunning => _process is { HasExited: false };

    /// <summary>The server's own temporary folder (its working directory and <c>--dir</c>).</summary>
    public string WorkingDirectory => _directory;

    private string LogFile => Path.Combine(_directory, "redis.log");

    /// <summary>Starts a server; a port taken between choosing and binding it is retried with another port.</summary>
    public static Task<RedisProcessServer> StartAsync(string executable, RedisTopology topology, RedisTestServerOptions options) =>
        StartAsync(executable, topology, options.StartTimeout, (port, directory) =>
        {
            var tls = topology.UsesTls ? TestCertificateSet.Instance.WriteTo(directory) : null;
            return (RedisServerLaunch.Create(topology, "127.0.0.1", port, directory, tls, [.. options.ExtraArguments, "--logfile", Path.Combine(directory, "redis.log")]), tls);
        });

    /// <summary>
    /// Starts a process whose command line <paramref name="createLaunch"/> builds from the chosen port and folder
    /// (called again with a new port when the port was taken meanwhile). Sentinels and cluster nodes start this way.
    /// </summary>
    public static async Task<RedisProcessServer> StartAsync(
        string executable, RedisTopology topology, TimeSpan startTimeout, Func<int, string, (RedisServerLaunch Launch, RedisTestTls? Tls)> createLaunch)
    {
        for (var attempt = 1; ; attempt++)
        {
            var port = FreePort.Next();
            var directory = Path.Combine(Path.GetTempPath(), "rediscaching-tests", $"{port}-{Guid.NewGuid():N}");
            Directory.CreateDirectory(directory);
            RedisProcessRegistry.RegisterDirectory(directory);
            var (launch, tls) = createLaunch(port, directory);
            var server = new RedisProcessServer(executable, directory, port, topology, launch, tls, startTimeout);
            try
            {
                await server.StartProcessAsync().ConfigureAwait(false);
                return server;
            }
            catch (RedisTestServerStartException ex) when (attempt < MaxPortAttempts && ex.Message.Contains("Address already in use", StringComparison.Ordinal))
            {
                await server.DisposeAsync().ConfigureAwait(false);
            }
            catch
            {
                await server.DisposeAsync().ConfigureAwait(false);
                throw;
            }
        }
    }

    protected override Task StopCoreAsync() => StopProcessAsync();

    protected override Task StartCoreAsync() => StartProcessAsync();

    public override Task PauseAsync() => SignalAsync(PosixSignal.Stop, paused: true);

    public override Task ResumeAsync() => SignalAsync(PosixSignal.Continue, paused: false);

    public override Task<string> RunCliAsync(params string[] args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var arguments = new[] { "-h", Host, "-p", Port.ToString(CultureInfo.InvariantCulture) }
            .Concat(CliCredentialArguments(Tls))
            .Concat(args);
        return CommandRunner.RunAsync(RedisExecutables.RequireCli(), arguments, TimeSpan.FromSeconds(10));
    }

    protected override async Task DisposeCoreAsync()
    {
        await StopProcessAsync().ConfigureAwait(false);
        if (RedisProcessRegistry.TryDeleteDirectory(_directory))
        {
            RedisProcessRegistry.UnregisterDirectory(_directory);
        }
    }

    private async Task StartProcessAsync()
    {
        var startInfo = new ProcessStartInfo(_executable)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = _directory,
        };
        foreach (var argument in _launch.Arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        var process = new Process { StartInfo = startInfo };
        // Errors in the command line are printed before the log file is opened: keep them for the failure message.
        process.OutputDataReceived += (_, e) => Remember(e.Data);
        process.ErrorDataReceived += (_, e) => Remember(e.Data);
        process.Start();
        RedisProcessRegistry.Register(process);
        _process = process;
        _paused = false;
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        var deadline = Stopwatch.StartNew();
        while (true)
        {
            if (process.HasExited)
            {
                // HasExited does not wait for the redirected output; on a busy machine the "Bad directive" line may
                // still be in flight. WaitForExitAsync returns once both streams reached their end.
                await process.WaitForExitAsync().ConfigureAwait(false);
                var exitCode = process.ExitCode;
                await StopProcessAsync().ConfigureAwait(false);
                throw new RedisTestServerStartException(
                    string.Create(CultureInfo.InvariantCulture, $"redis-server exited with code {exitCode} while starting on port {Port}.{Environment.NewLine}{LogTail()}"));
            }

            if (await ReadinessProbe.AnswersAsync(Host, Port, Tls, TimeSpan.FromSeconds(1)).ConfigureAwait(false) && PortOwner.IsListenedBy(process.Id, Port))
            {
                return;
            }

            if (deadline.Elapsed > _startTimeout)
            {
                await StopProcessAsync().ConfigureAwait(false);
                throw new RedisTestServerStartException(
                    string.Create(CultureInfo.InvariantCulture, $"redis-server on port {Port} did not answer PING within {_startTimeout.TotalSeconds} s.{Environment.NewLine}{LogTail()}"));
            }

            await Task.Delay(20).ConfigureAwait(false);
        }
    }
}
