using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using StackExchange.Redis;

namespace RedisCaching.Testing;

/// <summary>What every kind of test server derives from its host, port, credentials and TLS material.</summary>
internal abstract class RedisTestServerBase : IRedisTestServer
{
    protected RedisTestServerBase(RedisTopology topology, string? user, string? password, RedisTestTls? tls)
    {
        Topology = topology;
        User = user;
        Password = password;
        Tls = tls;
    }

    public abstract string Host { get; }

    public abstract int Port { get; }

    public abstract string Kind { get; }

    public RedisTopology Topology { get; }

    public virtual bool UsesTls => Topology.UsesTls;

    public string? User { get; }

    public string? Password { get; }

    public RedisTestTls? Tls { get; }

    public virtual int? ProcessId => null;

    public virtual string ConfigurationString
    {
        get
        {
            var builder = new StringBuilder();
            builder.Append(CultureInfo.InvariantCulture, $"{Host}:{Port}");
            if (Password is not null)
            {
                builder.Append(",password=").Append(Password);
            }

            if (User is not null)
            {
                builder.Append(",user=").Append(User);
            }

            if (UsesTls)
            {
                builder.Append(",ssl=true,sslHost=").Append(RedisTestTls.ServerHostName);
            }

            // A test server may be stopped on purpose: a client must keep retrying rather than give up.
            builder.Append(",abortConnect=false");
            return builder.ToString();
        }
    }

    public virtual ConfigurationOptions CreateConfigurationOptions()
    {
        var options = ConfigurationOptions.Parse(ConfigurationString);
        if (Tls is { } tls)
        {
            options.CertificateValidation += RedisTestTls.CreateValidator(tls.CaCertificate);
            if (Topology.RequiresClientCertificate)
            {
                options.CertificateSelection += (_, _, _, _, _) => tls.ClientCertificate;
            }
        }

        return options;
    }

    /// <summary>Serialises stop, restart and dispose, which tests may call from several tasks at once.</summary>
    private readonly SemaphoreSlim _lifecycle = new(1, 1);
    private bool _disposed;

    public virtual Task StopAsync() => ExclusiveAsync(StopCoreAsync);

    public virtual Task RestartAsync() => ExclusiveAsync(async () =>
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        await StopCoreAsync().ConfigureAwait(false);
        await StartCoreAsync().ConfigureAwait(false);
    });

    public virtual async ValueTask DisposeAsync() => await ExclusiveAsync(async () =>
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        await DisposeCoreAsync().ConfigureAwait(false);
    }).ConfigureAwait(false);

    /// <summary>Stops the server; the caller holds the lifecycle lock.</summary>
    protected virtual Task StopCoreAsync() => Task.CompletedTask;

    /// <summary>Starts the server again with its original settings; the caller holds the lifecycle lock.</summary>
    protected virtual Task StartCoreAsync() => Task.CompletedTask;

    /// <summary>Stops the server for good and removes its files; called once, under the lifecycle lock.</summary>
    protected virtual Task DisposeCoreAsync() => Task.CompletedTask;

    /// <summary>Runs <paramref name="action"/> under the lifecycle lock (pause and resume use it too).</summary>
    protected async Task ExclusiveAsync(Func<Task> action)
    {
        await _lifecycle.WaitAsync().ConfigureAwait(false);
        try
        {
            await action().ConfigureAwait(false);
        }
        finally
        {
            _lifecycle.Release();
        }
    }

    public virtual Task PauseAsync() => throw new NotSupportedException($"Pausing is supported for process servers only, not for a {Kind} server.");

    public virtual Task ResumeAsync() => throw new NotSupportedException($"Resuming is supported for process servers only, not for a {Kind} server.");

    public abstract Task<string> RunCliAsync(params string[] args);


    public override string ToString() => $"{Kind} {Topology} {Host}:{Port}";

    /// <summary>The redis-cli flags for authentication and TLS (host and port excluded).</summary>
    protected IEnumerable<string> CliCredentialArguments(RedisTestTls? tlsAsCliSeesIt)
    {
        if (User is not null)
        {
            yield return "--user";
            yield return User;
        }

        if (Password is not null)
        {
            yield return "--pass";
            yield return Password;
            yield return "--no-auth-warning";
        }

        if (UsesTls && tlsAsCliSeesIt is not null)
        {
            yield return "--tls";
            yield return "--sni";
            yield return RedisTestTls.ServerHostName;
            yield return "--cacert";
            yield return tlsAsCliSeesIt.CaCertificatePath;
            // Always present the client certificate: harmless when the server does not ask for one.
            yield return "--cert";
            yield return tlsAsCliSeesIt.ClientCertificatePath;
            yield return "--key";
            yield return tlsAsCliSeesIt.ClientKeyPath;
        }
    }
}
