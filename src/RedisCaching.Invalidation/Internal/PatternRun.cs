using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.Logging;
using RedisCaching.Internal.Shared;
using StackExchange.Redis;

namespace RedisCaching.Invalidation.Internal;

/// <summary>
/// One pattern invalidation: for each primary in turn, <c>SCAN</c> pages whose matches are <c>UNLINK</c>ed, the
/// UNLINK of a page pipelined with the SCAN of the next, each removed page announced to the in-process tiers once
/// Redis confirmed it (<see cref="ICacheKeySpace.InvalidateMemoryAsync"/>). Primaries are scanned one after the other
/// and one batch at a time, so Redis never runs more than one batch of ours at once.
/// </summary>
internal sealed class PatternRun
{
    private readonly ICacheKeySpace _keySpace;
    private readonly IConnectionMultiplexer _multiplexer;
    private readonly string _entryPrefix;
    private readonly string _glob;
    private readonly PatternInvalidationOptions _options;
    private readonly InvalidationThrottle _throttle;
    private readonly IProgress<PatternInvalidationProgress>? _progress;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly long _startedAt;
    private long _lastReportAt;
    private long _removed;
    private long _matched;
    private long _batches;
    private int _serversDone;
    private int _servers;

    public PatternRun(
        ICacheKeySpace keySpace,
        IConnectionMultiplexer multiplexer,
        string entryPrefix,
        string pattern,
        PatternInvalidationOptions options,
        IProgress<PatternInvalidationProgress>? progress,
        TimeProvider time,
        ILogger logger)
    {
        _keySpace = keySpace;
        _multiplexer = multiplexer;
        _entryPrefix = entryPrefix;
        _glob = PatternGlob.For(entryPrefix, pattern);
        _options = options;
        _throttle = new InvalidationThrottle(options, time);
        _progress = progress;
        _time = time;
        _logger = logger;
        _startedAt = time.GetTimestamp();
    }

    public async Task<long> RunAsync(CancellationToken cancellationToken)
    {
        await ClusterView.RefreshIfAPrimaryIsDownAsync(_multiplexer).ConfigureAwait(false);
        var primaries = Primaries();
        _servers = primaries.Count;
        try
        {
            foreach (var server in primaries)
            {
                await ScanServerAsync(server, cancellationToken).ConfigureAwait(false);
                _serversDone++;
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            Report(completed: false, force: true);
            Log.PatternInvalidationCancelled(_logger, _removed, _batches, ElapsedMs);
            throw;
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            Report(completed: false, force: true);
            Log.PatternInvalidationFailed(_logger, _removed, _batches, ex.GetType().Name, ex);
            throw new PatternInvalidationException(
                $"The pattern invalidation failed after removing {_removed} keys ({ex.GetType().Name}: {ex.Message}). Keys removed stay removed; running it again is safe.",
                _removed,
                ex);
        }

        Report(completed: true, force: true);
        var elapsed = _time.GetElapsedTime(_startedAt);
        Log.PatternInvalidated(
            _logger,
            _removed,
            _matched,
            _batches,
            _servers,
            (long)elapsed.TotalMilliseconds,
            elapsed > TimeSpan.Zero ? (long)(_removed / elapsed.TotalSeconds) : _removed,
            (long)_throttle.Throttled.TotalMilliseconds,
            _keySpace.CoherenceMode);
        return _removed;
    }

    /// <summary>
    /// Every primary the multiplexer knows; a primary that is not connected fails the run before anything is removed,
    /// unless the connected cluster primaries serve every slot (<see cref="ClusterView.ConnectedPrimariesServeEverySlot"/>).
    /// </summary>
    private List<IServer> Primaries()
    {
        var primaries = new List<IServer>();
        var disconnected = 0;
        foreach (var server in _multiplexer.GetServers())
        {
            if (server.IsReplica)
            {
                continue;
            }

            if (!server.IsConnected)
            {
                disconnected++;
                continue;
            }

            primaries.Add(server);
        }

        // A cluster primary that failed over keeps its place in the node list without its slots: nothing to scan there.
        if (disconnected > 0 && primaries.Count > 0 && ClusterView.ConnectedPrimariesServeEverySlot(_multiplexer))
        {
            disconnected = 0;
        }

        if (disconnected > 0 || primaries.Count == 0)
        {
            throw new PatternInvalidationException(
                $"{disconnected} of {disconnected + primaries.Count} primaries are not connected: a pattern invalidation must scan every primary, so nothing was removed.",
                0,
                null);
        }

        return primaries;
    }

    /// <summary>
    /// Walks one primary. The next page's SCAN is sent as soon as the cursor is known, so Redis works on it while this
    /// page's keys are filtered, the previous page's UNLINK is confirmed and announced, and this page's UNLINK is sent
    /// (right behind that SCAN on the same connection: never more than one SCAN and one UNLINK of ours queued).
    /// </summary>
    private async Task ScanServerAsync(IServer server, CancellationToken cancellationToken)
    {
        var cluster = server.ServerType == ServerType.Cluster;
        PendingUnlink? pending = null;
        try
        {
            await _throttle.WaitAsync(cancellationToken).ConfigureAwait(false);
            var sentAt = _time.GetTimestamp();
            var scan = Scan(server, "0");
            while (true)
            {
                var page = ScanPage.Parse(await scan.ConfigureAwait(false));
                var roundTrip = _time.GetElapsedTime(sentAt);
                if (_throttle.OnBatch(roundTrip))
                {
                    Log.ThrottleBackedOff(_logger, roundTrip.TotalMilliseconds, _options.LatencyBudget.TotalMilliseconds, _throttle.ScanCount);
                }

                _batches++;
                var last = page.Cursor == "0";
                if (!last)
                {
                    await _throttle.WaitAsync(cancellationToken).ConfigureAwait(false);
                    sentAt = _time.GetTimestamp();
                    scan = Scan(server, page.Cursor);
                }

                var keys = Matches(page.Keys);
                _matched += keys.Count;
                if (pending is { } previous)
                {
                    pending = null;
                    await CompleteAsync(previous).ConfigureAwait(false);
                }

                if (keys.Count > 0)
                {
                    pending = StartUnlink(server, keys, cluster);
                }

                Report(completed: false, force: false);
                if (last)
                {
                    break;
                }
            }
        }
        finally
        {
            // Whatever stops the run, keys UNLINK was asked to remove are counted and announced: an instance must
            // never keep serving an entry Redis no longer has.
            if (pending is { } last)
            {
                await CompleteAsync(last).ConfigureAwait(false);
            }
        }
    }

    private Task<RedisResult> Scan(IServer server, RedisValue cursor) =>
        server.ExecuteAsync(null, "SCAN", [cursor, "MATCH", _glob, "COUNT", _throttle.ScanCount], CommandFlags.None);

    /// <summary>The page's keys without the cache's own (tag tokens, locks), which a pattern never removes.</summary>
    private List<string> Matches(RedisKey[] keys)
    {
        var matches = new List<string>(keys.Length);
        foreach (var key in keys)
        {
            var text = (string)key!;
            if (!PatternGlob.IsInternal(text, _entryPrefix))
            {
                matches.Add(text);
            }
        }

        return matches;
    }

    private PendingUnlink StartUnlink(IServer server, List<string> keys, bool cluster)
    {
        if (!cluster)
        {
            return new PendingUnlink(keys, [server.ExecuteAsync(null, "UNLINK", ToArguments(keys), CommandFlags.None)]);
        }

        // A multi-key command must stay within one hash slot on a cluster (else CROSSSLOT).
        var bySlot = new Dictionary<int, List<string>>();
        foreach (var key in keys)
        {
            var slot = _multiplexer.HashSlot(key);
            if (!bySlot.TryGetValue(slot, out var group))
            {
                bySlot[slot] = group = [];
            }

            group.Add(key);
        }

        var unlinks = new List<Task<RedisResult>>(bySlot.Count);
        foreach (var group in bySlot.Values)
        {
            unlinks.Add(server.ExecuteAsync(null, "UNLINK", ToArguments(group), CommandFlags.None));
        }

        return new PendingUnlink(keys, unlinks);
    }

    /// <summary>Keys as <see cref="RedisKey"/> arguments, so StackExchange.Redis sends them as keys.</summary>
    private static object[] ToArguments(List<string> keys)
    {
        var arguments = new object[keys.Count];
        for (var i = 0; i < arguments.Length; i++)
        {
            arguments[i] = (RedisKey)keys[i];
        }

        return arguments;
    }

    /// <summary>Waits for a page's UNLINKs, counts what they removed, and tells the in-process tiers.</summary>
    private async Task CompleteAsync(PendingUnlink pending)
    {
        try
        {
            foreach (var removed in await Task.WhenAll(pending.Unlinks).ConfigureAwait(false))
            {
                _removed += (long)removed;
            }
        }
        finally
        {
            // Announced even when an UNLINK failed: a key that may be gone must leave memory too (an extra miss at worst).
            if (!await _keySpace.InvalidateMemoryAsync(pending.Keys, CancellationToken.None).ConfigureAwait(false))
            {
                Log.BackplaneAnnounceFailed(_logger, pending.Keys.Count);
            }
        }
    }

    private void Report(bool completed, bool force)
    {
        if (_progress is null)
        {
            return;
        }

        var now = _time.GetTimestamp();
        if (!force && _lastReportAt != 0 && _time.GetElapsedTime(_lastReportAt, now) < _options.ProgressInterval)
        {
            return;
        }

        _lastReportAt = now;
        _progress.Report(new PatternInvalidationProgress(
            _removed,
            _matched,
            _batches,
            _serversDone,
            _servers,
            _throttle.ScanCount,
            _time.GetElapsedTime(_startedAt, now),
            _throttle.Throttled,
            completed));
    }

    private long ElapsedMs => (long)_time.GetElapsedTime(_startedAt).TotalMilliseconds;

    private sealed record PendingUnlink(List<string> Keys, List<Task<RedisResult>> Unlinks);
}
