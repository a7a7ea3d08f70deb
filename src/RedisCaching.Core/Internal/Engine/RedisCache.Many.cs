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
            if (!resolved.Skips(CacheSkip.MemoryRead) && TryReadMemory<T>(memoryKeys[i], now, out var stored) && stored.IsFreshAt(now))
            {
                Counters.MemoryHit();
                results[i] = new CacheResult<T>(stored.Value, CacheTier.Memory);
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

        var redisKeys = new RedisKey[pending.Count];
        for (var i = 0; i < pending.Count; i++)
        {
            redisKeys[i] = _keys.Qualify(memoryKeys[pending[i]]);
        }

        var outcome = await CallRedisAsync("GET many", redisKeys, static (db, keys) => GetAllAsync(db, keys), write: false, cancellationToken).ConfigureAwait(false);
        if (!outcome.Ok)
        {
            foreach (var _ in pending)
            {
                Counters.Miss();
            }

            return;
        }

        var leases = outcome.Value;
        try
        {
            var now = NowUnixMs;
            var decoded = new Decoded<T>?[pending.Count];
            HashSet<string>? unknownTagKeys = null;
            for (var i = 0; i < pending.Count; i++)
            {
                if (leases[i] is { } lease && Decode<T>(lease.Memory) is { } entry && entry.Stored.IsFreshAt(now))
                {
                    decoded[i] = entry;
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
                if (decoded[i] is { } entry && (entry.Tags is null || TagsValidWith(entry.Tags, now, fetched)))
                {
                    Counters.RedisHit();
                    results[pending[i]] = new CacheResult<T>(entry.Stored.Value, CacheTier.Redis);
                    var payload = leases[i]!.Memory.Span[entry.PayloadOffset..];
                    var fillMemory = !resolved.Skips(CacheSkip.MemoryWrite) && !IsInDoubt(memoryKey) && _memory.Mode is not CacheCoherenceMode.Disabled;
                    if (entry.SlidingMs > 0)
                    {
                        // Filled (under this read's ticket) only once Redis extended the entry: see RedisCache.Sliding.
                        StartTouch(memoryKey, ToMemoryEntry(entry, payload), fillMemory ? tickets[i] : null);
                    }
                    else if (fillMemory)
                    {
                        _memory.CompleteFill(memoryKey, tickets[i], ToMemoryEntry(entry, payload));
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
            foreach (var lease in leases)
            {
                lease?.Dispose();
            }
        }
    }

    private async Task<Dictionary<string, long>?> FetchTokensAsync(HashSet<string> tagKeys, CancellationToken cancellationToken)
    {
        var keys = new string[tagKeys.Count];
        tagKeys.CopyTo(keys);
        var tokens = await CurrentTokensAsync(keys, create: false, cancellationToken).ConfigureAwait(false);
        if (tokens is null)
        {
            return null;
        }

        var byKey = new Dictionary<string, long>(keys.Length, StringComparer.Ordinal);
        for (var i = 0; i < keys.Length; i++)
        {
            byKey[keys[i]] = tokens[i];
        }

        return byKey;
    }

    /// <summary>Checks tags against memory, then against the tokens fetched for the batch; a token neither has (Redis failed) is not valid.</summary>
    private bool TagsValidWith(TagStamps stamps, long nowUnixMs, Dictionary<string, long>? fetched)
    {
        var inMemory = CheckTagsInMemory(stamps, nowUnixMs);
        if (inMemory != TagCheck.Unknown)
        {
            return inMemory == TagCheck.Valid;
        }

        for (var i = 0; i < stamps.TagKeys.Length; i++)
        {
            long current;
            if (fetched is not null && fetched.TryGetValue(stamps.TagKeys[i], out var token))
            {
                current = token;
            }
            else if (_memory.TryGet(stamps.TagKeys[i], nowUnixMs, out var held) && held.Value is long heldToken)
            {
                current = heldToken;
            }
            else
            {
                return false;
            }

            if (current == 0 || current != stamps.Tokens[i])
            {
                return false;
            }
        }

        return true;
    }

    private static async Task<Lease<byte>?[]> GetAllAsync(IDatabaseAsync database, RedisKey[] redisKeys)
    {
        var gets = new Task<Lease<byte>?>[redisKeys.Length];
        for (var i = 0; i < redisKeys.Length; i++)
        {
            gets[i] = database.StringGetLeaseAsync(redisKeys[i]);
        }

        return await Task.WhenAll(gets).ConfigureAwait(false);
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
            writes[i] = StoreAsync(_keys.ToMemoryKey(entries[i].Key), entries[i].Value, resolved, cancellationToken, tokens);
        }

        await Task.WhenAll(writes).ConfigureAwait(false);
    }
}
