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

    /// <summary>Whether the last failure's description is a failed attempt's (which says why it failed).</summary>
    private bool _lastFailureFromAttempt;

    public event EventHandler<RedisConnectionHealth>? HealthChanged;

    public RedisConnectionHealth Health
    {
        get
        {
            // Events and IsConnected are not updated in a guaranteed order, so the status is re-read on demand too.
            RefreshStatus();
            lock (_gate)
            {
                return _health;
            }
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

        // UnableToConnect only says that an attempt failed; the attempt's own event says why (a wrong password, a
        // rejected certificate). The two come in either order, for each connection of the multiplexer (interactive,
        // subscription) on threads of their own, so an attempt's reason is not replaced by an UnableToConnect.
        RecordFailure($"{e.FailureType} on {endpoint} ({e.ConnectionType})", reasonless: e.FailureType == ConnectionFailureType.UnableToConnect);
        Log.ConnectionFailed(_logger, e.FailureType, endpoint, e.ConnectionType, e.Exception);
        RefreshStatus();
    }

    private void OnConnectionAttemptCompleted(object? sender, ConnectionAttemptCompletedEventArgs e)
    {
        // ConnectionDisposed is the library closing an attempt that already failed for a reason reported before it;
        // recording it would replace that reason (wrong password, rejected certificate) with a useless one.
        if (e.IsSuccess || e.FailureType == ConnectionFailureType.ConnectionDisposed)
        {
            return;
        }

        var endpoint = e.EndPoint?.ToString() ?? "?";
        var certificate = e.ServerCertificatePolicyErrors is { } errors && errors != SslPolicyErrors.None
            ? $"; server certificate {errors} ({e.ServerCertificateChainStatus})"
            : string.Empty;
        RecordFailure($"{e.FailureType} during {e.Stage} on {endpoint} ({e.ConnectionType}){certificate}", fromAttempt: true);
        Log.ConnectionAttemptFailed(_logger, e.FailureType, e.Stage, endpoint, e.ConnectionType, certificate, e.Exception?.Message ?? "no detail");
        RefreshStatus();
    }

    /// <summary>
    /// Counts a failure and makes <paramref name="description"/> the last failure, unless it is <paramref name="reasonless"/>
    /// (an UnableToConnect) and the last failure is an attempt's (<paramref name="fromAttempt"/>), which says why.
    /// </summary>
    private void RecordFailure(string description, bool reasonless = false, bool fromAttempt = false)
    {
        var now = _time.GetUtcNow();
        lock (_gate)
        {
            _failures++;
            if (reasonless && _lastFailureFromAttempt)
            {
                _health = _health with { ConnectionFailures = _failures, LastFailureAt = now };
                return;
            }

            _lastFailureFromAttempt = fromAttempt;
            _health = _health with { ConnectionFailures = _failures, LastFailure = description, LastFailureAt = now };
        }
    }

    private void OnConnectionRestored(object? sender, ConnectionFailedEventArgs e)
    {
        lock (_gate)
        {
            _restores++;
            _health = _health with { ConnectionRestores = _restores };
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
        RedisConnectionHealth? changed;
        RedisConnectionStatus previous;
        lock (_gate)
        {
            var multiplexers = _multiplexers;
            if (multiplexers is null || _disposed)
            {
                return;
            }

            // Read and published under one lock, so concurrent events cannot leave an older reading in place.
            previous = _health.Status;
            changed = Publish(ReadStatus(multiplexers));
        }

        Announce(previous, changed);
    }

    private static RedisConnectionStatus ReadStatus(IConnectionMultiplexer[] multiplexers)
    {
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

        return connected == 0 ? RedisConnectionStatus.Disconnected
            : connected < multiplexers.Length || degraded ? RedisConnectionStatus.Degraded
            : RedisConnectionStatus.Connected;
    }

    private void SetStatus(RedisConnectionStatus status)
    {
        RedisConnectionHealth? changed;
        RedisConnectionStatus previous;
        lock (_gate)
        {
            previous = _health.Status;
            changed = Publish(status);
        }

        Announce(previous, changed);
    }

    /// <summary>Sets the status (caller holds the lock); returns the new snapshot, or null when nothing changed.</summary>
    private RedisConnectionHealth? Publish(RedisConnectionStatus status)
    {
        if (_health.Status == status || _health.Status == RedisConnectionStatus.Disposed)
        {
            return null;
        }

        _health = _health with { Status = status, LastChangeAt = _time.GetUtcNow() };
        return _health;
    }

    private void Announce(RedisConnectionStatus previous, RedisConnectionHealth? changed)
    {
        if (changed is null)
        {
            return;
        }

        Log.StatusChanged(_logger, previous, changed.Status);
        try
        {
            HealthChanged?.Invoke(this, changed);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // A subscriber's bug must not break connecting, reconnecting or disposing.
            Log.HealthHandlerFailed(_logger, ex);
        }
    }
}
