using System;
using System.Collections.Generic;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Threading;
using System.Threading.Tasks;
using RedisCaching.Internal.Envelope;
using StackExchange.Redis;

namespace RedisCaching.Internal.Engine;

/// <summary>
/// Writes: build the envelope in a pooled buffer, SET with the hard expiry as TTL, then update memory. Our writes
/// travel on the NOLOOP connection, so Redis never tells us about them: every way out of a write that is not a
/// confirmed success must leave memory safe by itself (see <see cref="AfterUncertainWrite"/>).
/// </summary>
internal sealed partial class RedisCache
{
    public ValueTask SetAsync<T>(string key, T value, CacheEntryOptions? options = null, CancellationToken cancellationToken = default)
    {
        var memoryKey = _keys.ToMemoryKey(key);
        return StoreAsync(memoryKey, value, _resolver.Resolve(options), cancellationToken);
    }

    public async ValueTask<bool> RemoveAsync(string key, CancellationToken cancellationToken = default)
    {
        var memoryKey = _keys.ToMemoryKey(key);
        var ticket = _memory.BeginFill(memoryKey);
        var confirmed = false;
        try
        {
            if (await EntryKeyAsync(memoryKey, create: false, cancellationToken).ConfigureAwait(false) is not { } redisKey)
            {
                return false;
            }

            var outcome = await CallRedisAsync("DEL", (RedisKey)redisKey, static (db, k) => db.KeyDeleteAsync(k), write: true, cancellationToken).ConfigureAwait(false);
            if (!outcome.Ok)
            {
                return false;
            }

            confirmed = true;
            Counters.Removal();
            _memory.CompleteOwnWrite(memoryKey, ticket, null);
            await PublishOwnWriteAsync(redisKey).ConfigureAwait(false);
            return outcome.Value;
        }
        finally
        {
            if (!confirmed)
            {
                AfterUncertainWrite(memoryKey, ticket);
            }
        }
    }

    public async ValueTask<bool> ExistsAsync(string key, CancellationToken cancellationToken = default)
    {
        var memoryKey = _keys.ToMemoryKey(key);
        var now = NowUnixMs;
        if (_memory.TryGet(memoryKey, now, out var entry) && entry.LogicalExpiresAtUnixMs > now
            && (entry.Tags is null || CheckTagsInMemory(entry.Tags, now, inSameRead: true) == TagCheck.Valid))
        {
            return true;
        }

        // The header (and tags) decide, not the key's presence: a stale or tag-removed entry does not exist.
        if (await EntryKeyAsync(memoryKey, create: false, cancellationToken).ConfigureAwait(false) is not { } redisKey)
        {
            return false;
        }

        var head = await CallRedisAsync("GETRANGE", (RedisKey)redisKey, static (db, k) => db.StringGetRangeAsync(k, 0, ExistsProbeLength - 1), write: false, cancellationToken).ConfigureAwait(false);
        if (!head.Ok || head.Value.IsNullOrEmpty)
        {
            return false;
        }

        var bytes = (ReadOnlyMemory<byte>)head.Value;
        var status = EnvelopeFormat.TryRead(bytes.Span, out var header, out _);
        if (status == EnvelopeReadStatus.Corrupt && bytes.Length == ExistsProbeLength)
        {
            // A tag section longer than the probe: read the whole entry.
            var full = await CallRedisAsync("GET", (RedisKey)redisKey, static (db, k) => db.StringGetAsync(k), write: false, cancellationToken).ConfigureAwait(false);
            if (!full.Ok || full.Value.IsNullOrEmpty)
            {
                return false;
            }

            status = EnvelopeFormat.TryRead(((ReadOnlyMemory<byte>)full.Value).Span, out header, out _);
        }

        if (status != EnvelopeReadStatus.Ok || header.LogicalExpiresAtUnixMs <= NowUnixMs)
        {
            return false;
        }

        if (header.Tags is not { Count: > 0 })
        {
            return true;
        }

        return ToTagStamps(header.Tags, header.TagTokens) is { } stamps && await TagsValidAsync(stamps, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>How much of an entry <see cref="ExistsAsync"/> reads: the header and, in all but odd cases, its tags.</summary>
    private const int ExistsProbeLength = 1024;

    /// <summary>Backplane mode tells the other instances; a failure here is logged, never the caller's problem.</summary>
    /// <returns>Whether the other instances were told (always true outside backplane mode, where Redis tells them).</returns>
    private async Task<bool> PublishOwnWriteAsync(string redisKey)
    {
        // Not "Mode == Backplane": while this tier is down (reconnecting, following a failover) the other instances
        // still hold our key, and nobody but us will tell them (BackplaneTierOutageTests: a reader kept the old value).
        if (!_memory.UsesBackplane)
        {
            return true;
        }

        try
        {
            var publishing = PublishThroughWriteConnectionAsync(redisKey);
            await publishing.WaitAsync(_redisTimeout, _time).ConfigureAwait(false);
            return true;
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException or InvalidOperationException)
        {
            RecordRedisFailure("PUBLISH", ex, _guard);
            return false;
        }
    }

    private async Task PublishThroughWriteConnectionAsync(string redisKey)
    {
        var via = await WriteDatabaseAsync(CancellationToken.None).ConfigureAwait(false);
        await _memory.AfterOwnWriteAsync(redisKey, via).ConfigureAwait(false);
    }

    /// <summary>
    /// A write that was (or may have been) sent but not confirmed: a timeout, a cancellation, a failure. It may still
    /// land in Redis later, and on the NOLOOP connection nothing will tell us. So the key is dropped now, fills of it
    /// are refused while it is in doubt, and a PING on the same connection (which replies only after every earlier
    /// command on it ran) ends the doubt by dropping the key once more.
    /// </summary>
    private void AfterUncertainWrite(string memoryKey, Memory.FillTicket ticket)
    {
        if (_memory.Mode is CacheCoherenceMode.Disabled)
        {
            return;
        }

        // In doubt first, then the bump: a fill that starts after the bump sees the doubt; one before it, the bump.
        _inDoubt.AddOrUpdate(memoryKey, 1, static (_, count) => count + 1);
        _memory.CompleteOwnWrite(memoryKey, ticket, null);
        _ = FenceAsync(memoryKey);
    }

    private async Task FenceAsync(string memoryKey)
    {
        var delay = TimeSpan.FromMilliseconds(100);
        while (!_disposed.IsCancellationRequested)
        {
            try
            {
                if (_memory.TakesOwnWrites)
                {
                    await _memory.WriteDatabase.PingAsync().WaitAsync(TimeSpan.FromSeconds(5), _time, _disposed.Token).ConfigureAwait(false);
                }

                // Either the PING proved the write ran, or the tier is not coherent (it flushed, and flushes again
                // when it comes back), or the write went through the main connection (Sentinel), whose invalidation
                // reaches the tier whenever it runs: in each case the key can be dropped one last time and filled again.
                _memory.CompleteOwnWrite(memoryKey, _memory.BeginFill(memoryKey), null);
                break;
            }
            catch (Exception ex) when (ex is RedisException or TimeoutException or InvalidOperationException or OperationCanceledException)
            {
                await Task.Delay(delay, _time, CancellationToken.None).ConfigureAwait(false);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, TimeSpan.FromSeconds(5).Ticks));
            }
        }

        _inDoubt.AddOrUpdate(memoryKey, 0, static (_, count) => count - 1);
        _inDoubt.TryRemove(new(memoryKey, 0));
    }

    private bool IsInDoubt(string memoryKey) => !_inDoubt.IsEmpty && _inDoubt.TryGetValue(memoryKey, out var count) && count > 0;
}
