using System;
using System.Net.Security;
using System.Threading;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace RedisCaching.Internal;

/// <summary>Connection events turned into logs and the health state.</summary>
internal sealed partial class RedisConnection
{
    private RedisConnectionHealth _health;
    private long _failures;
    private long _restores;

    public event EventHandler<RedisConnectionHealth>? HealthChanged;

    public RedisConnectionHealth Health
    {
        get
        {
            // Events and IsConnected are not updated in a guaranteed order, so the status is re-read on demand too.
            RefreshStatus();
            return Volatile.Read(ref _health);
        }
    }

    private void Attach(IConnectionMultiplexer multiplexer)
    {
        multiplexer.ConnectionFailed += OnConnectionFailed;
        multiplexer.ConnectionRestored += OnConnectionRestored;
        multiplexer.ErrorMessage += OnErrorMessage;
        multiplexer.InternalError += OnInternalError;
        multiplexer.ConfigurationChanged += OnConfigurationChanged;
    }

    private void Detach(IConnectionMultiplexer multiplexer)
    {
        multiplexer.ConnectionFailed -= OnConnectionFailed;
        multiplexer.ConnectionRestored -= OnConnectionRestored;
        multiplexer.ErrorMessage -= OnErrorMessage;
        multiplexer.InternalError -= OnInternalError;
        multiplexer.ConfigurationChanged -= OnConfigurationChanged;
    }

    private void OnConnectionFailed(object? sender, ConnectionFailedEventArgs e)
    {
        var endpoint = e.EndPoint?.ToString() ?? "?";
        RecordFailure($"{e.FailureType} on {endpoint} ({e.ConnectionType})");
        Log.ConnectionFailed(_logger, e.FailureType, endpoint, e.ConnectionType, e.Exception);
        RefreshStatus();
    }

    private void OnConnectionAttemptCompleted(object? sender, ConnectionAttemptCompletedEventArgs e)
    {
        if (e.IsSuccess)
        {
            return;
        }

        var endpoint = e.EndPoint?.ToString() ?? "?";
        var certificate = e.ServerCertificatePolicyErrors is { } errors && errors != SslPolicyErrors.None
            ? $"; server certificate {errors} ({e.ServerCertificateChainStatus})"
            : string.Empty;
        RecordFailure($"{e.FailureType} during {e.Stage} on {endpoint} ({e.ConnectionType}){certificate}");
        Log.ConnectionAttemptFailed(_logger, e.FailureType, e.Stage, endpoint, e.ConnectionType, certificate, e.Exception);
        RefreshStatus();
    }

    private void RecordFailure(string description)
    {
        var failures = Interlocked.Increment(ref _failures);
        var now = _time.GetUtcNow();
        lock (_gate)
        {
            _health = _health with { ConnectionFailures = failures, LastFailure = description, LastFailureAt = now };
        }
    }

    private void OnConnectionRestored(object? sender, ConnectionFailedEventArgs e)
    {
        Interlocked.Increment(ref _restores);
        lock (_gate)
        {
            _health = _health with { ConnectionRestores = Interlocked.Read(ref _restores) };
        }

        Log.ConnectionRestored(_logger, e.EndPoint?.ToString() ?? "?", e.ConnectionType);
        RefreshStatus();
    }

    private void OnErrorMessage(object? sender, RedisErrorEventArgs e) =>
        Log.ServerErrorMessage(_logger, e.EndPoint?.ToString() ?? "?", e.Message);

    private void OnInternalError(object? sender, InternalErrorEventArgs e) =>
        Log.InternalError(_logger, e.Origin ?? "?", e.EndPoint?.ToString() ?? "?", e.ConnectionType, e.Exception);

    private void OnConfigurationChanged(object? sender, EndPointEventArgs e)
    {
        Log.ConfigurationChanged(_logger, e.EndPoint?.ToString() ?? "?");
        RefreshStatus();
    }

    private void RefreshStatus()
    {
        var multiplexers = Volatile.Read(ref _multiplexers);
        if (multiplexers is null || _disposed)
        {
            return;
        }

        var connected = 0;
        var degraded = false;
        foreach (var multiplexer in multiplexers)
        {
            if (!multiplexer.IsConnected)
            {
                continue;
            }

            connected++;
            foreach (var server in multiplexer.GetServers())
            {
                degraded |= !server.IsConnected;
            }
        }

        var status = connected == 0 ? RedisConnectionStatus.Disconnected
            : connected < multiplexers.Length || degraded ? RedisConnectionStatus.Degraded
            : RedisConnectionStatus.Connected;
        SetStatus(status);
    }

    private void SetStatus(RedisConnectionStatus status)
    {
        RedisConnectionHealth updated;
        RedisConnectionStatus previous;
        lock (_gate)
        {
            previous = _health.Status;
            if (previous == status || previous == RedisConnectionStatus.Disposed)
            {
                return;
            }

            updated = _health with { Status = status, LastChangeAt = _time.GetUtcNow() };
            _health = updated;
        }

        Log.StatusChanged(_logger, previous, status);
        HealthChanged?.Invoke(this, updated);
    }
}
