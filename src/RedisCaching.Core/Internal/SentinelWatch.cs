using System;
using System.Linq;
using System.Net;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace RedisCaching.Internal;

/// <summary>
/// Follows the sentinels' view of one service's primary, on a small connection to every sentinel.
/// <para>
/// Why StackExchange.Redis's own handling is not enough: told <c>+switch-master</c>, it re-reads every node's role and
/// elects among the nodes that call themselves primary. After <c>SENTINEL FAILOVER</c> the old primary keeps calling
/// itself primary until the sentinels demote it (8-13 s on these machines); with two "primaries" the election takes
/// the first node it knows, the old one, and every write acknowledged there is lost at the demotion.
/// </para>
/// <para>
/// So: <see cref="FailoverStarting"/> when the leading sentinel is about to promote a replica (only the leader
/// publishes that, hence a subscription on every sentinel), <see cref="PrimaryChanged"/> on <c>+promoted-slave</c> (or
/// <c>+switch-master</c>, whichever comes first), and
/// <see cref="FailoverAborted"/> when it gives up. A poll of <c>SENTINEL MASTER</c> every second catches a switch whose
/// message was missed (a sentinel connection was down); it trusts only a higher config epoch than the one it knows, so
/// a sentinel that has not heard of the switch yet never switches us back. Without events the polls come every
/// 250 ms and follow the failover themselves (SentinelWatch.PollOnly.cs).
/// </para>
/// </summary>
internal sealed partial class SentinelWatch : IAsyncDisposable, IDisposable
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromSeconds(1);
    private static readonly RedisKey RoutingProbeKey = "rediscaching:routing-probe";
    private static readonly RedisChannel FailoverStartingChannel = RedisChannel.Literal("+failover-state-send-slaveof-noone");
    private static readonly RedisChannel PromotedChannel = RedisChannel.Literal("+promoted-slave");
    private static readonly RedisChannel SwitchChannel = RedisChannel.Literal("+switch-master");
    private static readonly RedisChannel AbortChannel = RedisChannel.Pattern("-failover-abort-*");

    private readonly ConfigurationOptions _source;
    private readonly string _serviceName;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly Lock _gate = new();
    private readonly CancellationTokenSource _disposing = new();
    private ConnectionMultiplexer?[] _sentinels = [];
    private ITimer? _poll;
    private EndPoint? _primary;
    private long _epoch = -1;
    private long _failoverStartedAt;

    /// <summary>
    /// The sentinel (its index) whose poll answer flagged the failover under way, when a poll noticed it (no events):
    /// only that sentinel answering without the flag ends it as an abort. -1 otherwise.
    /// </summary>
    private int _failoverFlaggedBy = -1;

    /// <summary>New primaries adopted so far (under the lock).</summary>
    private long _adoptions;

    /// <summary>Failovers marked so far (under the lock): the identity of the one under way.</summary>
    private long _failoverMarks;

    /// <summary>What <see cref="_adoptions"/> was when the failover under way was marked (under the lock).</summary>
    private long _adoptionsAtFailoverMark;
    private int _polling;
    private Task? _starting;

    public SentinelWatch(ConfigurationOptions source, ILogger logger, TimeProvider time)
    {
        _source = source;
        _serviceName = source.ServiceName ?? throw new ArgumentException("A sentinel watch needs a service name.", nameof(source));
        _logger = logger;
        _time = time;
    }

    /// <summary>The leading sentinel is about to promote a replica of our service: stop writing to the primary.</summary>
    public event Action? FailoverStarting;

    /// <summary>The sentinels name a new primary (the new primary's endpoint).</summary>
    public event Action<EndPoint>? PrimaryChanged;

    /// <summary>
    /// A poll named the service's primary for the first time (no switch: <see cref="PrimaryChanged"/> is not raised). For
    /// a watcher that started before the sentinels knew the service, and waits to connect.
    /// </summary>
    public event Action<EndPoint>? PrimaryFirstNamed;

    /// <summary>The failover that <see cref="FailoverStarting"/> announced was given up; the primary stays.</summary>
    public event Action? FailoverAborted;

    /// <summary>The service whose primary is watched.</summary>
    public string ServiceName => _serviceName;

    /// <summary>The primary the sentinels name (null until one answered).</summary>
    public EndPoint? Primary
    {
        get
        {
            lock (_gate)
            {
                return _primary;
            }
        }
    }

    /// <summary>
    /// Between <see cref="FailoverStarting"/> and the new primary (or the abort), at most <see cref="MaxFailoverDuration"/>:
    /// nothing may be written to the current primary, which may be demoted at any moment.
    /// </summary>
    public bool FailoverInProgress
    {
        get
        {
            var since = Volatile.Read(ref _failoverStartedAt);
            return since != 0 && _time.GetElapsedTime(since) < MaxFailoverDuration;
        }
    }

    /// <summary>How long a failover announced by <see cref="FailoverStarting"/> is waited for before it counts as given up.</summary>
    public static TimeSpan MaxFailoverDuration { get; } = TimeSpan.FromSeconds(10);

    /// <summary>Whether <paramref name="multiplexer"/> sends writes to <paramref name="primary"/> (StackExchange.Redis's own pick for a key).</summary>
    public static bool RoutesTo(IConnectionMultiplexer multiplexer, EndPoint primary)
    {
        try
        {
            var server = multiplexer.GetServer(RoutingProbeKey, null, CommandFlags.DemandMaster);
            return server.IsConnected && SameNode(server.EndPoint, primary);
        }
        catch (Exception ex) when (ex is InvalidOperationException or RedisException or ObjectDisposedException)
        {
            return false;
        }
    }

    /// <summary>
    /// Starts the watch (once, however often it is called) and completes when the first poll has answered, so that
    /// <see cref="Primary"/> is known if any sentinel knows the service. Never throws: a failure is logged, the polls go
    /// on, and callers that find no primary yet fail their connect and ask again later.
    /// </summary>
    public Task StartAsync()
    {
        lock (_gate)
        {
            return _starting ??= StartLoggedAsync();
        }
    }

    private async Task StartLoggedAsync()
    {
        try
        {
            await ConnectAndPollAsync().ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException or ObjectDisposedException or InvalidOperationException)
        {
            Log.SentinelWatchFailed(_logger, _serviceName, ex.Message);
        }
    }

    /// <summary>
    /// A copy of <paramref name="configuration"/> (the sentinel one) that connects to <paramref name="primary"/> alone, as
    /// a plain server: StackExchange.Redis's sentinel mode then never runs. Its switch handling waits synchronously on
    /// reconfigures, which starved the thread pool for seconds during a failover on two cores, and it re-elects among
    /// the nodes that call themselves primary (the demoted one included); this watch names the primary instead.
    /// </summary>
    public static ConfigurationOptions DirectTo(ConfigurationOptions configuration, EndPoint primary)
    {
        var direct = configuration.Clone();
        direct.ServiceName = null;
        direct.EndPoints.Clear();
        direct.EndPoints.Add(primary);
        return direct;
    }

    /// <summary>
    /// Connects to every sentinel at once (one that is down keeps retrying in the background), subscribes to the events of
    /// those connected, and starts the poll (which subscribes to the others once they connect).
    /// </summary>
    private async Task ConnectAndPollAsync()
    {
        var endpoints = _source.EndPoints.ToArray();
        var connecting = endpoints.Select(e => ConnectionMultiplexer.ConnectAsync(SentinelDiagnosis.SentinelProbeOptions(_source, e, abortOnConnectFail: false))).ToArray();
        var sentinels = new ConnectionMultiplexer?[connecting.Length];
        for (var i = 0; i < connecting.Length; i++)
        {
            try
            {
                sentinels[i] = await connecting[i].ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is RedisException or TimeoutException)
            {
                Log.SentinelWatchFailed(_logger, endpoints[i].ToString() ?? "?", ex.Message);
            }
        }

        _subscriptions = new int[sentinels.Length];
        _subscribeFailureLogged = new int[sentinels.Length];
        lock (_gate)
        {
            _sentinels = sentinels;
        }

        if (_disposing.IsCancellationRequested)
        {
            await CloseAsync(sentinels).ConfigureAwait(false);
            return;
        }

        try
        {
            await SubscribeWhereMissingAsync(sentinels).ConfigureAwait(false);
            await PollAsync().ConfigureAwait(false);
        }
        finally
        {
            // Whatever the first poll did: without later polls no primary would ever be named, and since no connect falls
            // back to StackExchange.Redis's sentinel mode any more, every call would fail for good.
            var pace = PollPace;
            var poll = _time.CreateTimer(static state => ((SentinelWatch)state!).OnPollTimer(), this, pace, pace);
            bool disposedMeanwhile;
            lock (_gate)
            {
                // Published and checked under the lock the dispose takes to swap it out: one of the two stops it.
                disposedMeanwhile = _disposing.IsCancellationRequested;
                if (!disposedMeanwhile)
                {
                    _poll = poll;
                    _pollEvery = pace;
                }
            }

            if (disposedMeanwhile)
            {
                await poll.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    /// <summary>Whether two endpoints name the same node (sentinels answer with an IP; StackExchange.Redis may hold a DNS endpoint).</summary>
    public static bool SameNode(EndPoint? first, EndPoint? second) =>
        first is not null && second is not null
        && (first.Equals(second) || string.Equals(Describe(first), Describe(second), StringComparison.OrdinalIgnoreCase));

    private static string Describe(EndPoint endpoint) => endpoint switch
    {
        IPEndPoint ip => $"{ip.Address}:{ip.Port}",
        DnsEndPoint dns => $"{dns.Host}:{dns.Port}",
        _ => endpoint.ToString() ?? string.Empty,
    };

    private void OnFailoverStarting(RedisValue message)
    {
        // "slave <name> <ip> <port> @ <master-name> <master-ip> <master-port>"
        var text = (string?)message;
        var parts = (text ?? string.Empty).Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (ServiceOf(text) != _serviceName || parts.Length < 8)
        {
            return;
        }

        // A failover away from a primary we already left (a late message) holds nothing off. Checked and marked under
        // the lock Adopt takes, so a new primary is either adopted after the mark (and clears it) or seen here.
        var from = ParseEndPoint(parts[6], parts[7]);
        var selected = ParseEndPoint(parts[2], parts[3]);
        bool watchPromotion;
        lock (_gate)
        {
            if (_primary is { } known && !SameNode(known, from))
            {
                return;
            }

            MarkFailoverStarted();

            // The leader's own event: the failover is followed by events from here, not by a poll's earlier mark.
            _failoverFlaggedBy = -1;

            // Unless a poll found the selected replica first (this failover's replica is watched once).
            watchPromotion = selected is not null && ClaimPromotionWatch();
        }

        Raise(FailoverStarting);
        if (watchPromotion)
        {
            _ = WatchPromotionAsync(selected!);
        }
    }

    /// <summary>
    /// The replica now acts as the primary: followed at once rather than at <c>+switch-master</c>, which the leader
    /// publishes only after reconfiguring the other replicas (seconds, with several). Past this point sentinels do not
    /// abort the failover, so following it early is safe.
    /// </summary>
    private void OnPromoted(RedisValue message)
    {
        // "slave <name> <ip> <port> @ <master-name> <master-ip> <master-port>"
        var text = (string?)message;
        var parts = (text ?? string.Empty).Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (ServiceOf(text) == _serviceName && parts.Length >= 4 && ParseEndPoint(parts[2], parts[3]) is { } promoted)
        {
            Adopt(promoted, epoch: null);
        }
    }

    private void OnSwitch(RedisValue message)
    {
        // "<master-name> <old-ip> <old-port> <new-ip> <new-port>"
        var parts = ((string?)message ?? string.Empty).Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length == 5 && parts[0] == _serviceName && ParseEndPoint(parts[3], parts[4]) is { } primary)
        {
            Adopt(primary, epoch: null);
        }
    }

    /// <summary>
    /// <c>-failover-abort-*</c>: given up before a promotion. (Not <c>+failover-end-for-timeout</c>: that one comes after
    /// the promotion, which <see cref="OnPromoted"/> already followed.)
    /// </summary>
    private void OnAbort(RedisValue message)
    {
        if (ServiceOf((string?)message) == _serviceName)
        {
            Volatile.Write(ref _failoverStartedAt, 0);
            Raise(FailoverAborted);
        }
    }

    /// <summary>The service an instance event is about: after "@" for a replica or sentinel, the name itself for a primary.</summary>
    private static string? ServiceOf(string? message)
    {
        var parts = (message ?? string.Empty).Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var at = Array.IndexOf(parts, "@");
        return at >= 0 && at + 1 < parts.Length ? parts[at + 1]
            : parts.Length >= 2 && parts[0] == "master" ? parts[1]
            : null;
    }

    private static EndPoint? ParseEndPoint(string host, string port)
    {
        if (!int.TryParse(port, out var number) || number is <= 0 or > 65535)
        {
            return null;
        }

        return IPAddress.TryParse(host, out var address) ? new IPEndPoint(address, number) : new DnsEndPoint(host, number);
    }

    /// <summary>Takes <paramref name="primary"/> as the primary; a poll's answer only with a higher epoch than known.</summary>
    private void Adopt(EndPoint primary, long? epoch)
    {
        EndPoint? previous;
        lock (_gate)
        {
            if (epoch is { } polled)
            {
                if (polled <= _epoch)
                {
                    return;
                }

                _epoch = polled;
            }

            previous = _primary;
            if (SameNode(previous, primary))
            {
                return;
            }

            _primary = primary;
            _adoptions++;
            Volatile.Write(ref _failoverStartedAt, 0);

            // A new primary ends the failover a poll may have marked.
            _failoverFlaggedBy = -1;
        }

        if (previous is null && epoch is not null)
        {
            // The first poll's answer: nothing switched. (A promotion or switch message always means one, even when it
            // arrives before the first poll has answered.)
            try
            {
                PrimaryFirstNamed?.Invoke(primary);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                Log.SentinelWatchFailed(_logger, _serviceName, ex.Message);
            }

            return;
        }

        Log.SentinelPrimaryAnnounced(_logger, _serviceName, previous?.ToString() ?? "(not known yet)", primary.ToString() ?? "?");
        try
        {
            PrimaryChanged?.Invoke(primary);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            Log.SentinelWatchFailed(_logger, _serviceName, ex.Message);
        }
    }

    private void Raise(Action? handler)
    {
        try
        {
            handler?.Invoke();
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            Log.SentinelWatchFailed(_logger, _serviceName, ex.Message);
        }
    }

    /// <summary>
    /// Only while no subscribed sentinel is connected (their user lacks channel access, or they are down), and for a
    /// failover a poll marked, to its end (the events of a sentinel that connects meanwhile may not be the leader's): a sentinel's
    /// <c>failover_in_progress</c> flag on the primary we follow (after this poll's adoption) starts the failover as its
    /// event would have, a poll late (up to <see cref="PollOnlyInterval"/>); that same sentinel answering without the flag
    /// while the primary is unchanged ends it as an abort. A poll it did not answer (down, slow) ends nothing, nor does
    /// one in which another connected sentinel did not answer (<paramref name="connectedSilent"/>: it may be the one
    /// retrying the failover) or flagged a failover on another primary.
    /// </summary>
    private void FollowFailoverByPoll(int flaggedBy, EndPoint? flaggedPrimary, bool[] answered, bool connectedSilent)
    {
        lock (_gate)
        {
            // A poll's mark that went stale (no abort, no new primary within the longest failover) follows nothing.
            if (_failoverFlaggedBy >= 0 && !FailoverInProgress)
            {
                _failoverFlaggedBy = -1;
            }
        }

        // A failover a poll marked is followed by polls to its end even if a sentinel's events arrive meanwhile: that
        // sentinel may not be the leader, whose abort would then never reach us.
        if (HasLiveEventSource() && Volatile.Read(ref _failoverFlaggedBy) < 0)
        {
            return;
        }

        if (flaggedBy >= 0 && SameNode(Primary, flaggedPrimary))
        {
            bool started;
            lock (_gate)
            {
                started = MarkFailoverStarted();

                // Also a failover an event marked whose events then stopped (its sentinel's connection dropped): the
                // sentinel that flags it is followed by polls from here, so its abort is not missed.
                if (started || _failoverFlaggedBy < 0)
                {
                    _failoverFlaggedBy = flaggedBy;
                }
            }

            if (started)
            {
                Raise(FailoverStarting);
            }

            return;
        }

        bool aborted;
        lock (_gate)
        {
            // Under the lock the leader's own start event and Adopt take: neither can slip between the check and the end.
            var leader = _failoverFlaggedBy;
            if (leader < 0 || leader >= answered.Length || !answered[leader] || connectedSilent || flaggedBy >= 0)
            {
                return;
            }

            _failoverFlaggedBy = -1;

            // Still set: no new primary was adopted (that clears it), so the sentinels gave up.
            aborted = Interlocked.Exchange(ref _failoverStartedAt, 0) != 0;
        }

        if (aborted)
        {
            Raise(FailoverAborted);
        }
    }

    /// <summary>
    /// Under the lock: marks a failover as started now, unless one marked less than <see cref="MaxFailoverDuration"/>
    /// ago is under way (a mark older than that is stale: a failover whose abort or end we never heard of, which must
    /// not swallow the next one). True when this marked it.
    /// </summary>
    private bool MarkFailoverStarted()
    {
        if (FailoverInProgress)
        {
            return false;
        }

        Volatile.Write(ref _failoverStartedAt, Math.Max(1, _time.GetTimestamp()));
        _adoptionsAtFailoverMark = _adoptions;
        _failoverMarks++;
        return true;
    }

    /// <summary>
    /// Whether a new primary was adopted after the failover under way (or the last one) was marked: then a start raised
    /// after that adoption is late, and must not hold calls off on the primary already followed.
    /// </summary>
    public bool AdoptedSinceFailoverMarked
    {
        get
        {
            lock (_gate)
            {
                return _adoptions != _adoptionsAtFailoverMark;
            }
        }
    }

    private void OnPollTimer()
    {
        if (Interlocked.CompareExchange(ref _polling, 1, 0) != 0)
        {
            return;
        }

        _ = PollAsync();
    }

    /// <summary>Asks every connected sentinel for the service's primary and config epoch; the highest epoch wins.</summary>
    private async Task PollAsync()
    {
        try
        {
            ConnectionMultiplexer?[] sentinels;
            lock (_gate)
            {
                sentinels = _sentinels;
            }

            (EndPoint Primary, long Epoch)? best = null;
            var flaggedBy = -1;
            EndPoint? flaggedPrimary = null;
            var answered = new bool[sentinels.Length];
            var flagging = new bool[sentinels.Length];
            var connectedSilent = false;
            for (var i = 0; i < sentinels.Length; i++)
            {
                var sentinel = sentinels[i];
                if (sentinel is not { IsConnected: true } || _disposing.IsCancellationRequested)
                {
                    continue;
                }

                try
                {
                    var fields = await sentinel.GetServers()[0].SentinelMasterAsync(_serviceName).WaitAsync(PollInterval).ConfigureAwait(false);
                    answered[i] = true;
                    string? Field(string name) => fields.FirstOrDefault(f => f.Key == name).Value;
                    // During a failover the leader already reports the new epoch with the old address (it changes the
                    // address only at +switch-master): such an answer would switch us back.
                    if (Field("flags") is { } flags && flags.Contains("failover_in_progress", StringComparison.Ordinal))
                    {
                        if (Field("ip") is { } failingIp && Field("port") is { } failingPort)
                        {
                            flaggedBy = i;
                            flagging[i] = true;
                            flaggedPrimary = ParseEndPoint(failingIp, failingPort);
                        }

                        continue;
                    }

                    if (Field("ip") is { } ip && Field("port") is { } port && long.TryParse(Field("config-epoch"), out var epoch)
                        && ParseEndPoint(ip, port) is { } primary && (best is null || epoch > best.Value.Epoch))
                    {
                        best = (primary, epoch);
                    }
                }
                catch (RedisServerException ex) when (ex.Message.Contains("No such master", StringComparison.OrdinalIgnoreCase))
                {
                    // That sentinel does not monitor the service (so it runs no failover of it); the others answer.
                }
                catch (Exception ex) when (ex is RedisException or TimeoutException)
                {
                    // That sentinel is down or slow; the others answer.
                    connectedSilent = true;
                }
            }

            if (best is { } answer)
            {
                Adopt(answer.Primary, answer.Epoch);
            }

            FollowFailoverByPoll(flaggedBy, flaggedPrimary, answered, connectedSilent);
            if (Volatile.Read(ref _failoverFlaggedBy) >= 0)
            {
                await WatchSelectedReplicaAsync(sentinels, flagging).ConfigureAwait(false);
            }

            // After this poll's decisions: a sentinel that connected since the last poll gives its events from now on.
            // Not awaited: a sentinel that is connected but slow would hold the polls back (up to its 2 s timeout),
            // which is when they matter; each sentinel is tried by one attempt at a time.
            _ = SubscribeWhereMissingLoggedAsync(sentinels);
            KeepPollPace();
        }
        catch (ObjectDisposedException)
        {
            // Disposed mid-poll.
        }
        finally
        {
            Volatile.Write(ref _polling, 0);
        }
    }

    /// <summary>After the dispose was signalled: the poll timer, if the start published one (taken under the lock it publishes under).</summary>
    private ITimer? TakePollTimer()
    {
        lock (_gate)
        {
            var poll = _poll;
            _poll = null;
            return poll;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_disposing.IsCancellationRequested)
        {
            return;
        }

        await _disposing.CancelAsync().ConfigureAwait(false);
        if (TakePollTimer() is { } poll)
        {
            await poll.DisposeAsync().ConfigureAwait(false);
        }

        ConnectionMultiplexer?[] sentinels;
        lock (_gate)
        {
            sentinels = _sentinels;
            _sentinels = [];
        }

        await CloseAsync(sentinels).ConfigureAwait(false);
    }

    public void Dispose()
    {
        if (_disposing.IsCancellationRequested)
        {
            return;
        }

        _disposing.Cancel();
        TakePollTimer()?.Dispose();
        ConnectionMultiplexer?[] sentinels;
        lock (_gate)
        {
            sentinels = _sentinels;
            _sentinels = [];
        }

        foreach (var sentinel in sentinels)
        {
            sentinel?.Dispose();
        }
    }

    private static async Task CloseAsync(ConnectionMultiplexer?[] sentinels)
    {
        foreach (var sentinel in sentinels)
        {
            if (sentinel is not null)
            {
                await sentinel.DisposeAsync().ConfigureAwait(false);
            }
        }
    }
}
