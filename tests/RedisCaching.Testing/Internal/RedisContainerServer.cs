using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Threading;
using System.Threading.Tasks;
using DotNet.Testcontainers.Builders;
using Testcontainers.Redis;

namespace RedisCaching.Testing;

/// <summary>
/// A Redis container started through Testcontainers. The host port is chosen up front and bound explicitly,
/// so a restart (container stop + start) keeps it, as a process restart does.
/// </summary>
internal sealed class RedisContainerServer : RedisTestServerBase
{
    private const int ContainerPort = 6379;
    private const string ContainerTlsDirectory = "/tls";

    private readonly RedisContainer _container;
    private readonly TimeSpan _startTimeout;
    private readonly string? _hostDirectory;
    private readonly RedisTestTls? _tlsInContainer;

    private RedisContainerServer(RedisContainer container, int hostPort, RedisTopology topology, RedisServerLaunch launch, TimeSpan startTimeout, string? hostDirectory, RedisTestTls? tls, RedisTestTls? tlsInContainer)
        : base(topology, launch.User, launch.Password, tls)
    {
        _container = container;
        Port = hostPort;
        _startTimeout = startTimeout;
        _hostDirectory = hostDirectory;
        _tlsInContainer = tlsInContainer;
    }

    /// <summary>The single-server topologies; multi-server ones (Sentinel, Cluster, later) fall back to processes.</summary>
    public static bool Supports(RedisTopology topology) => topology.Kind is RedisTopologyKind.Standalone or RedisTopologyKind.Password
        or RedisTopologyKind.AclUser or RedisTopologyKind.Tls or RedisTopologyKind.TlsClientCertificate;

    public override string Host => _container.Hostname;

    public override int Port { get; }

    public override string Kind => RedisTestServerKinds.Container;

    /// <summary>Creates and starts a container; on failure it is removed and the Testcontainers exception is rethrown.</summary>
    public static async Task<RedisContainerServer> StartAsync(string image, RedisTopology topology, RedisTestServerOptions options)
    {
        if (!Supports(topology))
        {
            throw new NotSupportedException($"The container implementation does not support the {topology} topology yet.");
        }

        var hostPort = FreePort.Next();
        string? hostDirectory = null;
        RedisTestTls? tls = null;
        RedisTestTls? tlsInContainer = null;
        if (topology.UsesTls)
        {
            // The PEM files are made on the host and copied into the container before it starts.
            hostDirectory = Path.Combine(Path.GetTempPath(), "rediscaching-tests", $"container-{hostPort}-{Guid.NewGuid():N}");
            Directory.CreateDirectory(hostDirectory);
            RedisProcessRegistry.RegisterDirectory(hostDirectory);
            tls = TestCertificateSet.Instance.WriteTo(hostDirectory);
            tlsInContainer = new RedisTestTls(ContainerTlsDirectory, TestCertificateSet.Instance);
        }

        // Inside the container the server must accept the engine's forwarded connections, which come from the
        // bridge network, not loopback: bind every interface and turn protected mode off.
        var launch = RedisServerLaunch.Create(topology, "0.0.0.0", ContainerPort, "/data", tlsInContainer, [.. options.ExtraArguments, "--protected-mode", "no"]);
        var builder = new RedisBuilder(image)
            .WithPortBinding(hostPort, ContainerPort)
            .WithCommand(["redis-server", .. launch.Arguments]);
        if (tlsInContainer is not null)
        {
            // The module's readiness check pings the plain port, which TLS topologies close (--port 0).
            string[] ping = ["redis-cli", "-p", ContainerPort.ToString(CultureInfo.InvariantCulture), .. TlsCliArguments(tlsInContainer), "ping"];
            builder = builder
                .WithResourceMapping(new DirectoryInfo(hostDirectory!), ContainerTlsDirectory)
                .WithWaitStrategy(Wait.ForUnixContainer().UntilCommandIsCompleted(ping));
        }

        var container = builder.Build();
        var server = new RedisContainerServer(container, hostPort, topology, launch, options.StartTimeout, hostDirectory, tls, tlsInContainer);
        RedisProcessRegistry.RegisterContainer(container, container.DisposeAsync);
        try
        {
            using var cts = new CancellationTokenSource(options.StartTimeout);
            await container.StartAsync(cts.Token).ConfigureAwait(false);
            return server;
        }
        catch
        {
            await server.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    protected override Task StopCoreAsync() => _container.StopAsync();

    protected override async Task StartCoreAsync()
    {
        using var cts = new CancellationTokenSource(_startTimeout);
        await _container.StartAsync(cts.Token).ConfigureAwait(false);
    }

    /// <summary>Runs the image's own redis-cli inside the container, so the host needs none.</summary>
    public override async Task<string> RunCliAsync(params string[] args)
    {
        ArgumentNullException.ThrowIfNull(args);
        string[] command = ["redis-cli", "-p", ContainerPort.ToString(CultureInfo.InvariantCulture), .. CliCredentialArguments(_tlsInContainer), .. args];
        var result = await _container.ExecAsync(command).ConfigureAwait(false);
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture,
                $"redis-cli in container {_container.Id} exited with code {result.ExitCode}: {result.Stderr.Trim()} {result.Stdout.Trim()}"));
        }

        return result.Stdout.TrimEnd('\r', '\n');
    }

    protected override async Task DisposeCoreAsync()
    {
        await _container.DisposeAsync().ConfigureAwait(false);
        RedisProcessRegistry.UnregisterContainer(_container);
        if (_hostDirectory is not null && RedisProcessRegistry.TryDeleteDirectory(_hostDirectory))
        {
            RedisProcessRegistry.UnregisterDirectory(_hostDirectory);
        }
    }

    private static IEnumerable<string> TlsCliArguments(RedisTestTls tls) =>
        ["--tls", "--cacert", tls.CaCertificatePath, "--cert", tls.ClientCertificatePath, "--key", tls.ClientKeyPath];
}
