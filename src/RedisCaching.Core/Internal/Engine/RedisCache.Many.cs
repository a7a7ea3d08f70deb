using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using RedisCaching.Internal.Memory;
using StackExchange.Redis;

namespace RedisCaching.Internal.Engine;

/// <summary>
/// Many-key reads and writes. The keys memory cannot answer are sent to Redis all at once (StackExchange.Redis
/// pipelines commands issued before the first await into one flush), which also works on a cluster, where a
/// single MGET across slots would fail.
/// </summary>
internal sealed partial class RedisCache
{
    public async ValueTask<IReadOnlyList<CacheResult<T>>> GetManyAsync<T>(IReadOnlyList<string> keys, CacheEntryOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(keys);
        var resolved = _resolver.Resolve(options);
        var results = new CacheResult<T>[keys.Count];
        var memoryKeys = new string[keys.Count];
        var pending = new List<int>();
        var now = NowUnixMs;
        for (var i = 0; i < keys.Count; i++)
        {
            memoryKeys[i] = _keys.ToMemoryKey(keys[i]);
            var stored = default(StoredValue<T>);
            if (!resolved.Skips(CacheSkip.MemoryRead) && TryReadMemory<T>(memoryKeys[i], resolved, now, Environment.TickCount64, out stored) && stored.IsFreshAt(now))
            {
                Counters.MemoryHit();
                results[i] = new CacheResult<T>(stored.Value, CacheTier.Memory);
            }
            else if (stored.IsLazilyStaleAt(now))
            {
                // Lazily invalidated: as TryGetAsync, the old value flagged stale (no factory here to refresh it).
                Counters.Miss();
                Counters.Stale(CacheTier.Memory);
                results[i] = new CacheResult<T>(stored.Value, CacheTier.Memory, isStale: true);
            }
            else
            {
                pending.Add(i);
            }
        }

        if (pending.Count > 0 && !resolved.Skips(CacheSkip.RedisRead))
        {
            await ReadPendingAsync(memoryKeys, pending, results, resolved, cancellationToken).ConfigureAwait(false);
        }

        return results;
    }

    private async Task ReadPendingAsync<T>(string[] memoryKeys, List<int> pending, CacheResult<T>[] results, ResolvedEntryOptions resolved, CancellationToken cancellationToken)
    {
        var tickets = new FillTicket[pending.Count];
        for (var i = 0; i < pending.Count; i++)
        {
            tickets[i] = _memory.BeginFill(memoryKeys[pending[i]]);
        }

        // After the tickets: a new key space generation in between voids them (RedisCache.Generations.cs).
        var prefix = await EntryPrefixAsync(create: false, cancellationToken).ConfigureAwait(false);
        var redisKeys = new RedisKey[pending.Count];
        for (var i = 0; i < pending.Count; i++)
        {
            redisKeys[i] = string.Concat(prefix, memoryKeys[pending[i]]);
        }

        // The keys' TTLs too when memory may keep what is read (see RedisExpiryBound).
        var askedTtlAt = resolved.Skips(CacheSkip.MemoryWrite) || _memory.Mode is CacheCoherenceMode.Disabled ? 0 : NowUnixMs;
        var outcome = prefix is null ? default : await CallRedisAsync("GET many", (redisKeys, askedTtlAt), static (db, read) => GetAllAsync(db, read.redisKeys, read.askedTtlAt), write: false, cancellationToken).ConfigureAwait(false);
        if (!outcome.Ok)
        {
            foreach (var _ in pending)
            {
                Counters.Miss();
            }

            return;
        }

        var (leases, bounds) = outcome.Value;
        var decoded = new Decoded<T>?[pending.Count];
        try
        {
            var now = NowUnixMs;
            HashSet<string>? unknownTagKeys = null;
            for (var i = 0; i < pending.Count; i++)
            {
                if (leases[i] is { } lease && TryDecode<T>(lease.Memory, resolved, redisKeys[i], out var entry))
                {
                    decoded[i] = entry;
                    if (!entry.Stored.IsUsableAt(now))
                    {
                        continue;
                    }

                    if (entry.Tags is { } tags && CheckTagsInMemory(tags, now) == TagCheck.Unknown)
                    {
                        (unknownTagKeys ??= new HashSet<string>(StringComparer.Ordinal)).UnionWith(tags.TagKeys);
                    }
                }
            }

            // The tokens memory lacks, for the whole batch in one more round (not one per entry).
            var fetched = unknownTagKeys is null ? null : await FetchTokensAsync(unknownTagKeys, cancellationToken).ConfigureAwait(false);
            for (var i = 0; i < pending.Count; i++)
            {
                var memoryKey = memoryKeys[pending[i]];
                var tags = decoded[i] is { Tags: { } stamps } ? TagsStateWith(stamps, now, fetched) : TagCheck.Valid;
                if (decoded[i] is { } entry && entry.Stored.IsFreshAt(now) && tags == TagCheck.Valid)
                {
                    Counters.RedisHit();
                    results[pending[i]] = new CacheResult<T>(entry.Stored.Value, CacheTier.Redis);
                    FillAfterRead(memoryKey, tickets[i], entry, resolved, bounds[i]);
                }
                else if (decoded[i] is { } marked && tags == TagCheck.Stale && marked.Stored.IsUsableAt(now))
                {
                    // Lazily invalidated: kept in memory (its tags keep it stale there) and returned flagged stale
                    // while within its logical life.
                    FillAfterRead(memoryKey, tickets[i], marked, resolved, bounds[i]);
                    Counters.Miss();
                    if ((marked.Stored with { Marked = true }).IsLazilyStaleAt(now))
                    {
                        Counters.Stale(CacheTier.Redis);
                        results[pending[i]] = new CacheResult<T>(marked.Stored.Value, CacheTier.Redis, isStale: true);
                    }
                }
                else
                {
                    Counters.Miss();
                }
            }
        }
        finally
        {
            foreach (var entry in decoded)
            {
                entry?.Owner?.Dispose();
            }

            foreach (var lease in leases)
            {
                lease?.Dispose();
            }
        }
    }

    /// <summary>
    /// Each key's value, and with <paramref name="askedTtlAt"/> (not 0) its bound (<see cref="PipelinedTimesToLive"/>).
    /// </summary>
    private static async Task<(Lease<byte>?[] Leases, RedisExpiryBound[] Bounds)> GetAllAsync(IDatabaseAsync database, RedisKey[] redisKeys, long askedTtlAt)
    {
        var gets = new Task<Lease<byte>?>[redisKeys.Length];
        var timesToLive = new PipelinedTimesToLive(redisKeys.Length, askedTtlAt);
        try
        {
            for (var i = 0; i < redisKeys.Length; i++)
            {
                timesToLive.Ask(database, i, redisKeys[i]);
                gets[i] = database.StringGetLeaseAsync(redisKeys[i]);
            }

            var leases = await Task.WhenAll(gets).ConfigureAwait(false);
            var bounds = new RedisExpiryBound[redisKeys.Length];
            for (var i = 0; i < bounds.Length; i++)
            {
                bounds[i] = timesToLive.Take(i);
            }

            return (leases, bounds);
        }
        finally
        {
            timesToLive.ObserveUntaken();
        }
    }

    public async ValueTask SetManyAsync<T>(IReadOnlyList<KeyValuePair<string, T>> entries, CacheEntryOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(entries);
        var resolved = _resolver.Resolve(options);
        if (entries.Count == 0)
        {
            return;
        }

        // The tags' tokens once for all entries (they share the options).
        var tokens = resolved.TagKeys is { } tagKeys ? await CurrentTokensAsync(tagKeys, create: true, cancellationToken).ConfigureAwait(false) : null;
        var writes = new Task[entries.Count];
        for (var i = 0; i < entries.Count; i++)
        {
            // Each StoreAsync issues its SET before its first await, so the SETs leave in one pipelined flush.
            writes[i] = StoreAsync(_keys.ToMemoryKey(entries[i].Key), entries[i].Value, resolved, cancellationToken, tokens).AsTask();
        }

        await Task.WhenAll(writes).ConfigureAwait(false);
    }
}
