using System;
using System.Threading.Tasks;
using StackExchange.Redis;

namespace RedisCaching.Testing;

/// <summary>
/// One Redis server a test talks to, whatever runs it: a local <c>redis-server</c> process, a container, or an
/// external server named by <c>REDISCACHING_TEST_REDIS</c>. Disposing it stops the server and removes its files
/// (an external server is left alone).
/// </summary>
public interface IRedisTestServer : IAsyncDisposable
{
    /// <summary>The host clients connect to (a loopback address for processes).</summary>
    string Host { get; }

    /// <summary>The port clients connect to (the TLS port for TLS topologies); stable across <see cref="RestartAsync"/>.</summary>
    int Port { get; }

    /// <summary><see cref="RedisTestServerKinds.Process"/>, <see cref="RedisTestServerKinds.Container"/> or <see cref="RedisTestServerKinds.External"/>.</summary>
    string Kind { get; }

    /// <summary>The topology the server was started with.</summary>
    RedisTopology Topology { get; }

    /// <summary>Whether clients must speak TLS.</summary>
    bool UsesTls { get; }

    /// <summary>The ACL user clients authenticate as, or null for the default user.</summary>
    string? User { get; }

    /// <summary>The password clients authenticate with, or null when none is needed.</summary>
    string? Password { get; }

    /// <summary>
    /// A StackExchange.Redis configuration string with everything needed to connect except the certificate
    /// callbacks (use <see cref="CreateConfigurationOptions"/> for TLS), always with <c>abortConnect=false</c>.
    /// </summary>
    string ConfigurationString { get; }

    /// <summary>The certificates and their PEM files when <see cref="UsesTls"/>; otherwise null.</summary>
    RedisTestTls? Tls { get; }

    /// <summary>The pid of the server process for <see cref="RedisTestServerKinds.Process"/>; otherwise null.</summary>
    int? ProcessId { get; }

    /// <summary>
    /// Options ready to connect with: for TLS they trust only the test CA, and for
    /// <see cref="RedisTopologyKind.TlsClientCertificate"/> they present the test client certificate.
    /// A new instance each call, so a test may change it.
    /// </summary>
    ConfigurationOptions CreateConfigurationOptions();

    /// <summary>Stops the server (the process is gone when this returns); <see cref="RestartAsync"/> starts it again.</summary>
    /// <exception cref="NotSupportedException">For an external server.</exception>
    Task StopAsync();

    /// <summary>Stops the server if it runs, starts it again with the same arguments on the same port, and waits until it answers.</summary>
    /// <exception cref="NotSupportedException">For an external server.</exception>
    Task RestartAsync();

    /// <summary>Freezes the server (SIGSTOP): connections stay open, nothing is answered.</summary>
    /// <exception cref="NotSupportedException">For anything but a process.</exception>
    Task PauseAsync();

    /// <summary>Resumes a server frozen by <see cref="PauseAsync"/> (SIGCONT).</summary>
    /// <exception cref="NotSupportedException">For anything but a process.</exception>
    Task ResumeAsync();

    /// <summary>
    /// Runs <c>redis-cli</c> against this server with the right authentication and TLS flags, so a test can write
    /// "from outside" its client; returns stdout without the trailing newline. Error replies come back as text
    /// (redis-cli exits 0 on them); a failure to run or connect throws <see cref="InvalidOperationException"/>.
    /// </summary>
    Task<string> RunCliAsync(params string[] args);
}
