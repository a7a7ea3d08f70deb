using System;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace RedisCaching.Internal.Memory;

/// <summary>
/// The in-process tier kept coherent with Redis by <c>CLIENT TRACKING</c> (BCAST, PREFIX, NOLOOP, redirected to a
/// RESP2 subscription), or by a pub/sub backplane where the server refuses tracking. Partial files: Store (entries,
/// fills, versions), Tracking (the tracking handshake and redirect check), Backplane (the fallback), Events
/// (connection events and the serialized re-enable loop).
/// </summary>
internal sealed partial class CoherentMemoryTier : IMemoryTier
{
    private readonly RedisConnectionOptions _connectionOptions;
    private readonly MemoryTierOptions _options;
    private readonly string _trackingPrefix;
    private readonly ILogger _logger;
    private readonly TimeProvider _timeProvider;
    private readonly TlsCertificateFiles _certificates = new();
    private readonly CancellationTokenSource _disposing = new();
    private ConnectionMultiplexer? _multiplexer;
    private ITimer? _redirectCheckTimer;
    private int _mode = (int)CacheCoherenceMode.Unavailable;
    private long _timesUnavailable;
    private long _invalidationsSent;
    private int _started;

    public CoherentMemoryTier(
        RedisConnectionOptions connectionOptions,
        MemoryTierOptions options,
        string trackingPrefix,
        ILogger logger,
        TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(connectionOptions);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentException.ThrowIfNullOrEmpty(trackingPrefix);
        ArgumentNullException.ThrowIfNull(logger);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxEntries, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxBytes, 1);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(options.MaxEntryLifetime, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(options.RedirectCheckInterval, TimeSpan.Zero);
        _connectionOptions = connectionOptions;
        _options = options;
        _trackingPrefix = trackingPrefix;
        _logger = logger;
        _timeProvider = timeProvider ?? TimeProvider.System;
        _store = new MemoryStore(options.MaxEntries, options.MaxBytes, new ClockEvictionPolicy());
        InstanceId = Guid.NewGuid().ToString("N");
        ClientName = (connectionOptions.ClientName ?? ConfigurationOptionsBuilder.DefaultClientName) + ":l1:" + InstanceId[..12];
        _backplaneChannel = RedisChannel.Literal(options.BackplaneChannel.Replace(MemoryTierOptions.PrefixPlaceholder, trackingPrefix, StringComparison.Ordinal));
    }

    public CacheCoherenceMode Mode => (CacheCoherenceMode)Volatile.Read(ref _mode);

    /// <summary>Identifies this tier in backplane messages (so it skips its own) and in its client name.</summary>
    public string InstanceId { get; }

    /// <summary>The client name of the tracking multiplexer's connections (unique per tier).</summary>
    public string ClientName { get; }

    public long Count => _store.Count;

    public long Bytes => _store.Bytes;

    /// <summary>Backplane messages published (one per write or removal batch); tracking sends none, Redis does.</summary>
    public long InvalidationsSent => Interlocked.Read(ref _invalidationsSent);

    /// <summary>Invalidation messages received and applied (one per key, and one per server flush).</summary>
    public long InvalidationsReceived => Interlocked.Read(ref _invalidationsReceived);

    /// <summary>Times the whole tier was emptied (server flush, connection event, broken redirect, re-enable).</summary>
    public long Flushes => Interlocked.Read(ref _flushes);

    /// <summary>Entries evicted because a bound was reached.</summary>
    public long Evictions => _store.Evictions;

    /// <summary>Times tracking (or the backplane) was re-established after it was lost.</summary>
    public long Reenables => Interlocked.Read(ref _reenables);

    /// <summary>How often the tier went from coherent (or starting) to Unavailable: a short outage is counted even when nobody saw the mode change.</summary>
    public long TimesUnavailable => Interlocked.Read(ref _timesUnavailable);

    public IDatabaseAsync WriteDatabase => _multiplexer?.GetDatabase()
        ?? throw new InvalidOperationException("The memory tier is not started (or is disabled): there is no tracked connection to write through.");

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (Interlocked.Exchange(ref _started, 1) == 1)
        {
            throw new InvalidOperationException("The memory tier was already started.");
        }

        if (!_options.Enabled)
        {
            SetMode(CacheCoherenceMode.Disabled);
            return;
        }

        var configuration = ConfigurationOptionsBuilder.Build(_connectionOptions, _certificates);

        // RESP2 because StackExchange.Redis drops RESP3 invalidation pushes; admin for CLIENT LIST/TRACKING; no
        // channel prefix so every instance (and every language) agrees on the channel names.
        configuration.Protocol = RedisProtocol.Resp2;
        configuration.AllowAdmin = true;
        configuration.AbortOnConnectFail = false;
        configuration.ClientName = ClientName;
        configuration.ChannelPrefix = default;
        if (await DirectToSentinelPrimaryAsync(configuration).ConfigureAwait(false) is { } target)
        {
            var multiplexer = await ConnectionMultiplexer.ConnectAsync(target).WaitAsync(cancellationToken).ConfigureAwait(false);
            _multiplexer = multiplexer;
            if (RedisConnection.IsClusterServer(multiplexer))
            {
                // Tracking covers the node it runs on only: one stream per primary (CoherentMemoryTier.Cluster.cs).
                PrepareClusterTracking(configuration);
            }

            multiplexer.ConnectionFailed += OnConnectionFailed;
            multiplexer.ConnectionRestored += OnConnectionRestored;
        }

        // The first attempt runs inline so a reachable server leaves StartAsync coherent; if it fails, the
        // re-enable loop keeps trying in the background and the tier stays Unavailable (holds nothing) meanwhile.
        // The lease's thread first: it is also the inboxes' drainer when nobody reads, and must run even if the
        // caller stops waiting for the first attempt.
        StartLease();
        RequestReenable("start", flush: false);
        await WaitForFirstAttemptAsync(cancellationToken).ConfigureAwait(false);
        _redirectCheckTimer = _timeProvider.CreateTimer(
            static state => ((CoherentMemoryTier)state!).OnRedirectCheckTimer(),
            this,
            CheckInterval,
            CheckInterval);
    }

    public async ValueTask DisposeAsync()
    {
        if (_disposing.IsCancellationRequested)
        {
            return;
        }

        await _disposing.CancelAsync().ConfigureAwait(false);
        if (_redirectCheckTimer is not null)
        {
            await _redirectCheckTimer.DisposeAsync().ConfigureAwait(false);
        }

        SetMode(CacheCoherenceMode.Unavailable);
        StopInbox();
        await DisposeSentinelWatchAsync().ConfigureAwait(false);
        await CloseClusterNodesAsync().ConfigureAwait(false);
        _store.Clear();
        if (_multiplexer is { } multiplexer)
        {
            multiplexer.ConnectionFailed -= OnConnectionFailed;
            multiplexer.ConnectionRestored -= OnConnectionRestored;
            await multiplexer.DisposeAsync().ConfigureAwait(false);
        }

        // _disposing is cancelled but not disposed: a late connection event or timer tick may still read its token.
        _certificates.Dispose();
    }

    /// <summary>For containers disposed synchronously: the same steps, closing the sockets without awaiting.</summary>
    public void Dispose()
    {
        if (_disposing.IsCancellationRequested)
        {
            return;
        }

        _disposing.Cancel();
        _redirectCheckTimer?.Dispose();
        SetMode(CacheCoherenceMode.Unavailable);
        StopInbox();
        DisposeSentinelWatch();
        CloseClusterNodes();
        _store.Clear();
        if (_multiplexer is { } multiplexer)
        {
            multiplexer.ConnectionFailed -= OnConnectionFailed;
            multiplexer.ConnectionRestored -= OnConnectionRestored;
            multiplexer.Dispose();
        }

        _certificates.Dispose();
    }

    private void SetMode(CacheCoherenceMode mode)
    {
        var previous = (CacheCoherenceMode)Interlocked.Exchange(ref _mode, (int)mode);
        if (mode == CacheCoherenceMode.Unavailable && previous != CacheCoherenceMode.Unavailable)
        {
            Interlocked.Increment(ref _timesUnavailable);
        }
    }

    private static bool IsCoherent(CacheCoherenceMode mode) => mode is CacheCoherenceMode.Tracking or CacheCoherenceMode.Backplane;
}
