using System;
using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Threading;
using System.Threading.Tasks;
using RedisCaching.Internal.Envelope;
using RedisCaching.Internal.Memory;
using StackExchange.Redis;

namespace RedisCaching.Internal.Engine;

/// <summary>
/// Sliding expiration. A sliding entry's Redis TTL is its window (never past its absolute cap, recorded in the
/// envelope); a read extends it. The extension is conditional: a script extends the key only while it still holds
/// the entry that was read (its created-at and cap header bytes), so a touch never changes the TTL of a newer value
/// written meanwhile. It runs on the NOLOOP connection, so our own extension does not drop our L1 copy.
/// <list type="bullet">
/// <item>A read from Redis fills L1 only after the extension succeeded, with the read's fill ticket, so the copy never
/// outlives what Redis was told.</item>
/// <item>A read served from L1 extends the Redis TTL at most once per quarter window, in the background, and never
/// refills L1: the copy keeps its expiry, and the first read after it goes to Redis again.</item>
/// </list>
/// Other instances see the extension as a write and drop their copy: a sliding entry read on several instances costs
/// them a Redis read after each other's extensions.
/// </summary>
internal sealed partial class RedisCache
{
    /// <summary>A read extends the TTL only when at least this part of the window passed since the last extension.</summary>
    private const int TouchFractionDivisor = 4;

    /// <summary>Header bytes 9 to 24: the entry's created-at and logical expiry (for a sliding entry, its cap).</summary>
    private const int TouchIdentityOffset = 9;
    private const int TouchIdentityLength = 16;

    /// <summary>1 extended, 0 the key is gone, -1 the key holds another entry now (left alone).</summary>
    private const string ConditionalTouchScript =
        "if redis.call('GETRANGE', KEYS[1], 9, 24) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end " +
        "if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end return -1";

    private const long ScriptsRefused = long.MinValue;

    private readonly ConcurrentDictionary<string, byte> _touching = new(StringComparer.Ordinal);

    /// <summary>Set once the server refused a script (Garnet without --lua, an ACL without scripting): touches fall back to a plain PEXPIRE.</summary>
    private volatile bool _scriptsRefused;

    public async ValueTask<bool> RefreshAsync(string key, CancellationToken cancellationToken = default)
    {
        var memoryKey = _keys.ToMemoryKey(key);
        if (await EntryKeyAsync(memoryKey, create: false, cancellationToken).ConfigureAwait(false) is not { } entryKey)
        {
            return false;
        }

        var redisKey = (RedisKey)entryKey;
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

        var bytes = (ReadOnlyMemory<byte>)head.Value;
        if (!EnvelopeFormat.TryReadExpiry(bytes.Span, out var capUnixMs, out var slidingMs))
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

        var identity = bytes.Slice(TouchIdentityOffset, TouchIdentityLength).ToArray();
        var touched = await TouchRedisAsync(redisKey, identity, window, cancellationToken).ConfigureAwait(false);

        // Replaced between the two calls: the key exists (with another entry, which this refresh leaves alone).
        return touched is { } result && result != 0;
    }

    /// <summary>The next TTL of a sliding entry: its window, cut at its cap.</summary>
    private static long SlidingWindow(long slidingMs, long capUnixMs, long nowUnixMs) => Math.Min(slidingMs, capUnixMs - nowUnixMs);

    /// <summary>After a read of a sliding entry served from L1: extends its Redis TTL in the background when due.</summary>
    private void TouchIfDue(string memoryKey, MemoryEntry entry, long nowUnixMs)
    {
        if (entry.SlidingMs == 0 || nowUnixMs - entry.TouchedAtUnixMs < entry.SlidingMs / TouchFractionDivisor)
        {
            return;
        }

        StartTouch(memoryKey, entry, fillTicket: null);
    }

    /// <summary>
    /// Extends the TTL in the background (one extension per key at a time). With <paramref name="fillTicket"/> (a read
    /// from Redis that may fill L1), the entry is filled after the extension succeeded, under that ticket.
    /// </summary>
    private void StartTouch(string memoryKey, MemoryEntry entry, FillTicket? fillTicket)
    {
        if (_touching.TryAdd(memoryKey, 0))
        {
            _ = TouchAsync(memoryKey, entry, fillTicket);
        }
    }

    private async Task TouchAsync(string memoryKey, MemoryEntry entry, FillTicket? fillTicket)
    {
        try
        {
            var now = NowUnixMs;
            var window = SlidingWindow(entry.SlidingMs, entry.SlidingCapUnixMs, now);
            if (window <= 0)
            {
                return;
            }

            var identity = new byte[TouchIdentityLength];
            BinaryPrimitives.WriteInt64LittleEndian(identity, entry.CreatedAtUnixMs);
            BinaryPrimitives.WriteInt64LittleEndian(identity.AsSpan(8), entry.SlidingCapUnixMs);
            if (await EntryKeyAsync(memoryKey, create: false, _disposed.Token).ConfigureAwait(false) is not { } redisKey)
            {
                return;
            }

            var touched = await TouchRedisAsync(redisKey, identity, window, _disposed.Token).ConfigureAwait(false);
            switch (touched)
            {
                case null or -1:
                    // Redis failed (the copy keeps its expiry), or the key holds a newer entry now (whose
                    // invalidation, or our own write, governs L1): nothing to do.
                    return;
                case 0:
                    // Redis no longer holds it (expired, removed): neither may we.
                    _memory.CompleteOwnWrite(memoryKey, _memory.BeginFill(memoryKey), null);
                    return;
            }

            if (fillTicket is not { } ticket)
            {
                entry.MarkTouched(now);
                return;
            }

            // A read from Redis: L1 gets the copy now, for exactly the TTL just set, unless an invalidation came
            // after the read's ticket was taken (before its GET was sent).
            var expires = DateTimeOffset.FromUnixTimeMilliseconds(now + window);
            _memory.CompleteFill(memoryKey, ticket, new MemoryEntry(entry.Value, entry.SizeBytes, expires, expires)
            {
                CreatedAt = entry.CreatedAt,
                Tags = entry.Tags,
                SlidingMs = entry.SlidingMs,
                SlidingCapUnixMs = entry.SlidingCapUnixMs,
                TouchedAtUnixMs = now,
                Authenticated = entry.Authenticated,
                TypeFingerprint = entry.TypeFingerprint,
                ExactInstance = entry.ExactInstance,
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

    /// <summary>The conditional extension: 1 extended, 0 gone, -1 replaced, null when Redis failed.</summary>
    private async ValueTask<long?> TouchRedisAsync(RedisKey redisKey, byte[] identity, long window, CancellationToken cancellationToken)
    {
        if (!_scriptsRefused)
        {
            var outcome = await CallRedisAsync(
                "EVAL touch",
                (Key: redisKey, Identity: identity, Window: window),
                static (db, s) => EvaluateTouchAsync(db, s.Key, s.Identity, s.Window),
                write: true,
                cancellationToken).ConfigureAwait(false);
            if (!outcome.Ok)
            {
                return null;
            }

            if (outcome.Value != ScriptsRefused)
            {
                return outcome.Value;
            }

            NoteScriptsRefused();
        }

        // Without scripts: a plain PEXPIRE, which may also extend a newer value written meanwhile (its TTL only:
        // readers still go by the expiries in its header).
        var plain = await CallRedisAsync(
            "PEXPIRE",
            (Key: redisKey, Window: window),
            static (db, s) => db.KeyExpireAsync(s.Key, TimeSpan.FromMilliseconds(s.Window)),
            write: true,
            cancellationToken).ConfigureAwait(false);
        return plain.Ok ? (plain.Value ? 1 : 0) : null;
    }

    private static async Task<long> EvaluateTouchAsync(IDatabaseAsync database, RedisKey key, byte[] identity, long window)
    {
        try
        {
            var result = await database.ScriptEvaluateAsync(ConditionalTouchScript, [key], [identity, window]).ConfigureAwait(false);
            return (long)result;
        }
        catch (RedisServerException ex) when (IsScriptingRefused(ex))
        {
            return ScriptsRefused;
        }
    }

    private static bool IsScriptingRefused(RedisServerException exception) =>
        CommandRefusal.IsRefusedForGood(exception.Message) || exception.Message.Contains("scripting", StringComparison.OrdinalIgnoreCase);
}
