using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using RedisCaching.Internal.Shared;
using StackExchange.Redis;

namespace RedisCaching.Diagnostics.Internal;

/// <summary>
/// The key analysis behind <see cref="ICacheAdministration.AnalyzeKeysAsync"/>: SCAN under the cache's prefix on each
/// primary, bounded in keys and time, each batch measured with pipelined <c>MEMORY USAGE</c> and <c>PTTL</c> (one
/// flush per batch), then grouped by prefix.
/// </summary>
internal static class KeyAnalyzer
{
    private const int BatchSize = 256;

    public static async Task<KeyAnalysisReport> AnalyzeAsync(ICacheKeySpace keySpace, KeyAnalysisOptions options, TimeProvider time, CancellationToken cancellationToken)
    {
        Validate(options);
        var started = time.GetTimestamp();
        var multiplexer = await keySpace.Connection.GetMultiplexerAsync(cancellationToken).ConfigureAwait(false);
        await ClusterView.RefreshIfAPrimaryIsDownAsync(multiplexer).ConfigureAwait(false);

        // A cluster primary that failed over keeps its place in the node list without its slots: nothing is missed there.
        var everySlotServed = ClusterView.ConnectedPrimariesServeEverySlot(multiplexer);
        var database = multiplexer.GetDatabase();
        var prefix = keySpace.KeyPrefix;
        var groups = new Dictionary<string, GroupTotals>(StringComparer.Ordinal);
        using var bounded = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        bounded.CancelAfter(options.MaxDuration);
        long read = 0;
        var unreachable = false;
        var stopped = false;
        var batch = new List<RedisKey>(BatchSize);
        foreach (var endpoint in multiplexer.GetEndPoints())
        {
            var server = multiplexer.GetServer(endpoint);
            if (server.IsReplica || !server.IsConnected)
            {
                // A primary that cannot be asked leaves the report incomplete; the others are still read.
                unreachable |= !server.IsReplica && !everySlotServed;
                continue;
            }

            try
            {
                await foreach (var key in server.KeysAsync(pattern: GlobEscape(prefix) + "*", pageSize: options.ScanCount).WithCancellation(bounded.Token).ConfigureAwait(false))
                {
                    if (read + batch.Count >= options.MaxKeys)
                    {
                        stopped = true;
                        break;
                    }

                    batch.Add(key);
                    if (batch.Count == BatchSize)
                    {
                        read += await MeasureAsync(database, batch, prefix, options, groups).ConfigureAwait(false);
                        batch.Clear();
                    }
                }
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                // MaxDuration: what was read is reported, marked incomplete.
                stopped = true;
            }

            if (batch.Count > 0)
            {
                read += await MeasureAsync(database, batch, prefix, options, groups).ConfigureAwait(false);
                batch.Clear();
            }

            if (stopped)
            {
                break;
            }
        }

        var ordered = groups.Select(static g => g.Value.ToStats(g.Key)).OrderByDescending(static g => g.Bytes).ToList();
        return new KeyAnalysisReport
        {
            Groups = ordered,
            KeysRead = read,
            Complete = !stopped && !unreachable,
            Elapsed = time.GetElapsedTime(started),
            Recommendations = KeyAnalysisAdvice.For(ordered),
        };
    }

    private static void Validate(KeyAnalysisOptions options)
    {
        if (options.MaxKeys < 1 || options.ScanCount < 1 || options.GroupDepth < 1 || options.MaxDuration <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(options), "MaxKeys, ScanCount and GroupDepth must be at least 1 and MaxDuration positive.");
        }
    }

    /// <summary>Measures one batch: every MEMORY USAGE and PTTL is sent before the first is awaited (one pipeline).</summary>
    private static async Task<int> MeasureAsync(IDatabase database, List<RedisKey> keys, string prefix, KeyAnalysisOptions options, Dictionary<string, GroupTotals> groups)
    {
        var sizes = new Task<RedisResult>[keys.Count];
        var ttls = new Task<TimeSpan?>[keys.Count];
        for (var i = 0; i < keys.Count; i++)
        {
            sizes[i] = database.ExecuteAsync("MEMORY", "USAGE", keys[i]);
            ttls[i] = database.KeyTimeToLiveAsync(keys[i]);
        }

        var measured = 0;
        for (var i = 0; i < keys.Count; i++)
        {
            long bytes;
            TimeSpan? ttl;
            try
            {
                var size = await sizes[i].ConfigureAwait(false);
                ttl = await ttls[i].ConfigureAwait(false);
                if (size.IsNull)
                {
                    continue; // gone between SCAN and MEMORY USAGE (expired, removed)
                }

                bytes = (long)size;
            }
            catch (RedisServerException)
            {
                continue;
            }

            var group = GroupOf((string)keys[i]!, prefix, options);
            if (!groups.TryGetValue(group, out var totals))
            {
                groups[group] = totals = new GroupTotals();
            }

            totals.Add(bytes, ttl);
            measured++;
        }

        return measured;
    }

    /// <summary>The first GroupDepth parts of the key after the cache's prefix; the cache's own keys are one group.</summary>
    private static string GroupOf(string redisKey, string prefix, KeyAnalysisOptions options)
    {
        var rest = redisKey.StartsWith(prefix, StringComparison.Ordinal) ? redisKey[prefix.Length..] : redisKey;
        if (rest.Length > 0 && rest[0] == ICacheKeySpace.InternalKeyMarker)
        {
            return ICacheKeySpace.InternalKeyMarker.ToString();
        }

        var end = -1;
        for (var part = 0; part < options.GroupDepth; part++)
        {
            end = rest.IndexOf(options.Separator, end + 1);
            if (end < 0)
            {
                return part == 0 ? "(no separator)" : rest;
            }
        }

        return rest[..end];
    }

    /// <summary>The prefix as a SCAN pattern that matches it literally.</summary>
    private static string GlobEscape(string prefix) =>
        string.Concat(prefix.Select(static c => c is '*' or '?' or '[' or ']' or '\\' ? "\\" + c : c.ToString()));

    private sealed class GroupTotals
    {
        private long _keys;
        private long _bytes;
        private long _largest;
        private long _withoutTtl;
        private long _underAMinute;
        private long _underAnHour;
        private long _underADay;
        private long _aDayOrMore;

        public void Add(long bytes, TimeSpan? ttl)
        {
            _keys++;
            _bytes += bytes;
            _largest = Math.Max(_largest, bytes);
            switch (ttl)
            {
                case null: _withoutTtl++; break;
                case { TotalMinutes: < 1 }: _underAMinute++; break;
                case { TotalHours: < 1 }: _underAnHour++; break;
                case { TotalDays: < 1 }: _underADay++; break;
                default: _aDayOrMore++; break;
            }
        }

        public KeyGroupStats ToStats(string group) => new()
        {
            Group = group,
            Keys = _keys,
            Bytes = _bytes,
            LargestBytes = _largest,
            WithoutTtl = _withoutTtl,
            TtlUnderAMinute = _underAMinute,
            TtlUnderAnHour = _underAnHour,
            TtlUnderADay = _underADay,
            TtlADayOrMore = _aDayOrMore,
        };
    }
}
