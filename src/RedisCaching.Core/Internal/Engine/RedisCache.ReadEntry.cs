using System.Threading;
using System.Threading.Tasks;
using RedisCaching.Internal.Envelope;
using RedisCaching.Internal.Memory;
using StackExchange.Redis;

namespace RedisCaching.Internal.Engine;

/// <summary>
/// The end of a Redis read, after the GET: decode, usability, tags, fill. Synchronous unless an entry's tags need
/// Redis, so the decoded entry (a large struct) stays on the stack instead of being copied into the read's state machine.
/// </summary>
internal sealed partial class RedisCache
{
    /// <summary>
    /// What the GET returned, as a read's outcome; memory is filled for no longer than <paramref name="bound"/>. Takes
    /// <paramref name="lease"/> (and a decoded entry's owner): disposed before a synchronous return, or by the tag
    /// check's continuation.
    /// </summary>
    private ValueTask<ReadOutcome<T>> ReadEntry<T>(string memoryKey, FillTicket? ticket, Lease<byte> lease, ResolvedEntryOptions resolved, in RedisKey redisKey, RedisExpiryBound bound, CancellationToken cancellationToken)
    {
        PooledBufferWriter? owner = null;
        var handedOn = false;
        try
        {
            if (!TryDecode<T>(lease.Memory, resolved, redisKey, out var value))
            {
                // No creation time to trust: a fill compares the whole entry (a copy only on this rare path).
                return new ValueTask<ReadOutcome<T>>(new ReadOutcome<T>(null, false) { Held = lease.Memory.ToArray() });
            }

            owner = value.Owner;
            var checkedAt = NowUnixMs;
            if (!value.Stored.IsUsableAt(checkedAt))
            {
                return new ValueTask<ReadOutcome<T>>(new ReadOutcome<T>(null, false) { HeldCreatedAtUnixMs = value.Stored.CreatedAtUnixMs });
            }

            if (value.Tags is not { } tags)
            {
                FillAfterRead(memoryKey, ticket, value, resolved, bound);
                return new ValueTask<ReadOutcome<T>>(new ReadOutcome<T>(value.Stored, false) { CheckedAtUnixMs = checkedAt, HeldCreatedAtUnixMs = value.Stored.CreatedAtUnixMs });
            }

            var check = TagsStateAsync(tags, cancellationToken);
            if (!check.IsCompletedSuccessfully)
            {
                handedOn = true;
                return AfterTagsAsync(check, memoryKey, ticket, lease, value, resolved, bound);
            }

            return new ValueTask<ReadOutcome<T>>(AfterTags(check.Result, memoryKey, ticket, value, resolved, bound));
        }
        finally
        {
            if (!handedOn)
            {
                owner?.Dispose();
                lease.Dispose();
            }
        }
    }

    /// <summary>The rare path: a tag check that asked Redis (memory lacked a token). Disposes what <see cref="ReadEntry"/> handed on.</summary>
    private async ValueTask<ReadOutcome<T>> AfterTagsAsync<T>(ValueTask<TagCheck> check, string memoryKey, FillTicket? ticket, Lease<byte> lease, Decoded<T> value, ResolvedEntryOptions resolved, RedisExpiryBound bound)
    {
        using var leased = lease;
        using var opened = value.Owner;
        return AfterTags(await check.ConfigureAwait(false), memoryKey, ticket, value, resolved, bound);
    }

    /// <summary>A tagged entry once its tags were checked; the caller reads the clock again (a tag check may have awaited Redis).</summary>
    private ReadOutcome<T> AfterTags<T>(TagCheck check, string memoryKey, FillTicket? ticket, in Decoded<T> value, ResolvedEntryOptions resolved, RedisExpiryBound bound)
    {
        var marked = false;
        switch (check)
        {
            case TagCheck.Stale:
                // Lazily invalidated: still the entry Redis holds, so memory keeps it too (its tags keep it stale there).
                marked = true;
                break;
            case TagCheck.Valid:
                break;
            default:
                // Removed by tag: gone, not stale (fail-safe must not bring it back).
                return new ReadOutcome<T>(null, false) { HeldCreatedAtUnixMs = value.Stored.CreatedAtUnixMs };
        }

        FillAfterRead(memoryKey, ticket, value, resolved, bound);
        return new ReadOutcome<T>(value.Stored with { Marked = marked }, false) { HeldCreatedAtUnixMs = value.Stored.CreatedAtUnixMs };
    }

    /// <summary>
    /// How <see cref="ReadAsync{T, TResult, TFinish}"/> hands over what it found: as it is (get-or-set, the lock paths) or
    /// as a try-get's result. A static member on a type argument, so the read needs no second async layer around it.
    /// </summary>
    private interface IReadFinish<T, TResult>
    {
        static abstract TResult Finish(RedisCache cache, in ReadOutcome<T> read, ResolvedEntryOptions resolved);
    }

    /// <summary>The outcome as it is.</summary>
    private readonly struct AsReadOutcome<T> : IReadFinish<T, ReadOutcome<T>>
    {
        public static ReadOutcome<T> Finish(RedisCache cache, in ReadOutcome<T> read, ResolvedEntryOptions resolved) => read;
    }

    /// <summary>The outcome as a try-get returns it (counted).</summary>
    private readonly struct AsTryGetResult<T> : IReadFinish<T, CacheResult<T>>
    {
        public static CacheResult<T> Finish(RedisCache cache, in ReadOutcome<T> read, ResolvedEntryOptions resolved) => cache.ToTryGetResult(read, resolved);
    }
}
