using System;
using System.Collections.Concurrent;
using System.Threading;
using System.Threading.Tasks;
using RedisCaching.Internal.Envelope;
using RedisCaching.Internal.Memory;
using StackExchange.Redis;

namespace RedisCaching.Internal.Engine;

/// <summary>
/// Sliding expiration. A sliding entry's Redis TTL is its window (never past its absolute cap, recorded in the
/// envelope); a read extends it with <c>PEXPIRE</c> on the NOLOOP connection, so our own extension does not drop our
/// L1 copy. Reads served from L1 extend it too, at most once per quarter window per key, in the background. Other
/// instances do see the extension as a write and drop their copy: a sliding entry shared by several instances costs
/// them a Redis read after each other's extension.
/// </summary>
internal sealed partial class RedisCache
{
    /// <summary>A read extends the TTL only when at least this part of the window passed since the last extension.</summary>
    private const int TouchFractionDivisor = 4;

    private readonly ConcurrentDictionary<string, byte> _touching = new(StringComparer.Ordinal);

    public async ValueTask<bool> RefreshAsync(string key, CancellationToken cancellationToken = default)
    {
        var memoryKey = _keys.ToMemoryKey(key);
        var redisKey = (RedisKey)_keys.Qualify(memoryKey);
        var head = await CallRedisAsync(
            "GETRANGE",
            redisKey,
            static (db, k) => db.StringGetRangeAsync(k, 0, EnvelopeFormat.FixedHeaderLength + 8 - 1),
            write: false,
            cancellationToken).ConfigureAwait(false);
        if (!head.Ok || head.Value.IsNullOrEmpty)
        {
            return false;
        }

        if (!EnvelopeFormat.TryReadExpiry(((ReadOnlyMemory<byte>)head.Value).Span, out var capUnixMs, out var slidingMs))
        {
            // Not ours to extend, but Redis holds it.
            return true;
        }

        if (slidingMs == 0)
        {
            return true;
        }

        var window = SlidingWindow(slidingMs, capUnixMs, NowUnixMs);
        if (window <= 0)
        {
            return false;
        }

        var extended = await CallRedisAsync(
            "PEXPIRE",
            (Key: redisKey, Window: window),
            static (db, s) => db.KeyExpireAsync(s.Key, TimeSpan.FromMilliseconds(s.Window)),
            write: true,
            cancellationToken).ConfigureAwait(false);
        return extended.Ok && extended.Value;
    }

    /// <summary>The next TTL of a sliding entry: its window, cut at its cap.</summary>
    private static long SlidingWindow(long slidingMs, long capUnixMs, long nowUnixMs) => Math.Min(slidingMs, capUnixMs - nowUnixMs);

    /// <summary>After a read of a sliding entry (from L1 or Redis): extends its TTL in the background when due.</summary>
    private void TouchIfDue(string memoryKey, MemoryEntry entry, long nowUnixMs)
    {
        if (entry.SlidingMs == 0 || nowUnixMs - entry.TouchedAtUnixMs < entry.SlidingMs / TouchFractionDivisor)
        {
            return;
        }

        StartTouch(memoryKey, entry, refillMemory: true);
    }

    /// <summary>Extends the TTL in the background (one extension per key at a time); on success the L1 copy gets the new expiry.</summary>
    private void StartTouch(string memoryKey, MemoryEntry entry, bool refillMemory)
    {
        if (_touching.TryAdd(memoryKey, 0))
        {
            _ = TouchAsync(memoryKey, entry, refillMemory);
        }
    }

    private async Task TouchAsync(string memoryKey, MemoryEntry entry, bool refillMemory)
    {
        try
        {
            var now = NowUnixMs;
            var window = SlidingWindow(entry.SlidingMs, entry.SlidingCapUnixMs, now);
            if (window <= 0)
            {
                return;
            }

            var ticket = _memory.BeginFill(memoryKey);
            var outcome = await CallRedisAsync(
                "PEXPIRE",
                (Key: (RedisKey)_keys.Qualify(memoryKey), Window: window),
                static (db, s) => db.KeyExpireAsync(s.Key, TimeSpan.FromMilliseconds(s.Window)),
                write: true,
                _disposed.Token).ConfigureAwait(false);
            if (!outcome.Ok)
            {
                return;
            }

            if (!outcome.Value)
            {
                // Redis no longer holds it (expired, removed): neither may we.
                _memory.CompleteOwnWrite(memoryKey, ticket, null);
                return;
            }

            // Only the copy that was read is extended, and only while memory still holds that very copy. The ticket
            // guards against an invalidation after it was taken; one that came earlier (between the read and the
            // ticket: another client overwrote the key, and PEXPIRE then extended the new value) already dropped the
            // copy, and putting the read value back would serve a value Redis no longer holds.
            if (!refillMemory || !_memory.TryGet(memoryKey, out var current) || !ReferenceEquals(current, entry))
            {
                return;
            }

            // The L1 copy lives exactly as long as the TTL just set (unless an invalidation came in between).
            var expires = DateTimeOffset.FromUnixTimeMilliseconds(now + window);
            _memory.CompleteFill(memoryKey, ticket, new MemoryEntry(entry.Value, entry.SizeBytes, expires, expires)
            {
                CreatedAt = entry.CreatedAt,
                Tags = entry.Tags,
                SlidingMs = entry.SlidingMs,
                SlidingCapUnixMs = entry.SlidingCapUnixMs,
                TouchedAtUnixMs = now,
            });
        }
        catch (Exception ex) when (ex is OperationCanceledException or CacheUnavailableException)
        {
            // Disposed, or Redis failed and the app asked for exceptions: there is no caller to tell here.
        }
        finally
        {
            _touching.TryRemove(memoryKey, out _);
        }
    }
}
