using System;
using System.Collections.Generic;
using System.Globalization;
using System.Security.Cryptography;
using System.Threading;
using System.Threading.Tasks;
using RedisCaching.Internal.Memory;
using StackExchange.Redis;

namespace RedisCaching.Internal.Engine;

/// <summary>
/// Tags, as tag tokens (the design and its measurements are in the README's "Tags" section). Each tag has a token
/// key in Redis (<c>{key parts}!tag:{tag}</c>) holding a random 64-bit token; an entry records the token of each of
/// its tags when it is written; remove-by-tag replaces the token, so every entry written before is no longer
/// valid, whatever its size. Token keys live under the tracked prefix, so every instance keeps them in L1 and
/// drops them when another instance (or anything else) replaces them: checking a tagged entry on a hit costs a
/// lookup per tag. A missing token key (never created, evicted, flushed) makes every entry that recorded it
/// invalid: losing tag data can only remove entries, never bring one back. A lazy mark (RedisCache.LazyTags.cs)
/// keeps the replaced tokens listed in the same key (<see cref="TagTokens"/>): entries that recorded one of those are
/// stale rather than invalid.
/// </summary>
internal sealed partial class RedisCache
{
    public async ValueTask<bool> RemoveByTagAsync(string tag, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(tag);
        return await ReplaceTokenAsync(_keys.ToTagKey(tag), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Replaces the token of a tag (or of the key space's generation): every entry that recorded the old one is no
    /// longer valid, here and on every instance.
    /// </summary>
    private async ValueTask<bool> ReplaceTokenAsync(string tagKey, CancellationToken cancellationToken)
    {
        var token = NewToken();
        var ticket = _memory.BeginFill(tagKey);
        var confirmed = false;
        try
        {
            var redisKey = _keys.Qualify(tagKey);
            var outcome = await CallRedisAsync(
                "SET tag",
                (Key: (RedisKey)redisKey, Token: token),
                static (db, s) => db.StringSetAsync(s.Key, s.Token.ToString(CultureInfo.InvariantCulture)),
                write: true,
                cancellationToken).ConfigureAwait(false);
            if (!outcome.Ok)
            {
                return false;
            }

            confirmed = true;
            _memory.CompleteOwnWrite(tagKey, ticket, TokenEntry(token));
            // In backplane mode a removal the other instances were not told about is not done: they keep the old
            // token in memory (up to Memory:MaxEntryLifetime). Say so; calling again publishes again.
            return await PublishOwnWriteAsync(redisKey).ConfigureAwait(false);
        }
        finally
        {
            if (!confirmed)
            {
                AfterUncertainWrite(tagKey, ticket);
            }
        }
    }

    /// <summary>A fresh token: random, never 0 (0 stands for a token key Redis does not hold).</summary>
    private static long NewToken()
    {
        long token;
        do
        {
            token = BitConverter.ToInt64(RandomNumberGenerator.GetBytes(8));
        }
        while (token == 0);
        return token;
    }

    private MemoryEntry TokenEntry(long token) => TokenEntry(new TagTokens(token, null), RedisExpiryBound.None);

    /// <param name="tokens">The tokens.</param>
    /// <param name="bound">When the token key ends in Redis: none for ours, which have no TTL, unless another program set one.</param>
    private MemoryEntry TokenEntry(TagTokens tokens, RedisExpiryBound bound)
    {
        var now = _time.GetUtcNow();

        // The tier's own lifetime bound still applies to the L1 copy.
        var expiresAt = DateTimeOffset.FromUnixTimeMilliseconds(bound.Cap(now.AddDays(1).ToUnixTimeMilliseconds()));
        return new MemoryEntry(tokens.ToMemoryValue(), 64 + (8 * (tokens.Stale?.Length ?? 0)), expiresAt, expiresAt) { CreatedAt = now };
    }

    /// <summary>Checks an entry's tags against the tokens L1 holds: valid, stale (lazily invalidated), invalid, or unknown (a token not in L1).</summary>
    /// <param name="stamps">The entry's tags and tokens.</param>
    /// <param name="nowUnixMs">The clock reading.</param>
    /// <param name="inSameRead">True right after the entry itself was read from memory (see <see cref="IMemoryTier.TryGetInSameRead"/>).</param>
    private TagCheck CheckTagsInMemory(TagStamps stamps, long nowUnixMs, bool inSameRead = false)
    {
        var keys = stamps.TagKeys;
        var stale = false;
        for (var i = 0; i < keys.Length; i++)
        {
            var found = inSameRead ? _memory.TryGetInSameRead(keys[i], nowUnixMs, out var entry) : _memory.TryGet(keys[i], nowUnixMs, out entry);
            if (!found)
            {
                return TagCheck.Unknown;
            }

            // The usual case first: a tag never lazily invalidated is a boxed long, compared without a copy.
            if (entry.Value is long current)
            {
                if (!TokenMatches(current, stamps.Tokens[i]))
                {
                    return TagCheck.Invalid;
                }

                continue;
            }

            if (entry.Value is not TagTokens tokens)
            {
                return TagCheck.Unknown;
            }

            if (!Accumulate(tokens.Check(stamps.Tokens[i]), ref stale))
            {
                return TagCheck.Invalid;
            }
        }

        return stale ? TagCheck.Stale : TagCheck.Valid;
    }

    /// <summary>Whether an entry's tags still hold the tokens it recorded; asks Redis for tokens L1 does not have. Unknown (Redis failed) counts as not valid.</summary>
    private async ValueTask<bool> TagsValidAsync(TagStamps stamps, CancellationToken cancellationToken) =>
        await TagsStateAsync(stamps, cancellationToken).ConfigureAwait(false) == TagCheck.Valid;

    /// <summary>Valid, stale or invalid: checks memory, then asks Redis for tokens L1 does not have. Unknown (Redis failed) counts as invalid.</summary>
    private async ValueTask<TagCheck> TagsStateAsync(TagStamps stamps, CancellationToken cancellationToken)
    {
        var inMemory = CheckTagsInMemory(stamps, NowUnixMs);
        if (inMemory != TagCheck.Unknown)
        {
            return inMemory;
        }

        var current = await CurrentTagTokensAsync(stamps.TagKeys, create: false, cancellationToken).ConfigureAwait(false);
        return current is null ? TagCheck.Invalid : Combine(current, stamps.Tokens);
    }

    /// <summary>
    /// The one rule of validity: the current token equals the recorded one, and neither is 0. A 0 stands for a token
    /// key Redis does not hold; a lost key reads as 0 again, and must never bring an entry back.
    /// </summary>
    private static bool TokenMatches(long current, long recorded) => current == recorded && current != 0;

    /// <summary>The state of an entry's tags from each tag's tokens: invalid if any is, else stale if any is, else valid.</summary>
    private static TagCheck Combine(TagTokens[] current, long[] recorded)
    {
        var stale = false;
        for (var i = 0; i < current.Length; i++)
        {
            if (!Accumulate(current[i].Check(recorded[i]), ref stale))
            {
                return TagCheck.Invalid;
            }
        }

        return stale ? TagCheck.Stale : TagCheck.Valid;
    }

    /// <summary>Adds one tag's state to its entry's (memory and Redis checks share it): false when the tag makes the entry invalid.</summary>
    private static bool Accumulate(TokenState state, ref bool stale)
    {
        if (state == TokenState.Invalid)
        {
            return false;
        }

        stale |= state == TokenState.Stale;
        return true;
    }

    private async Task<Dictionary<string, TagTokens>?> FetchTokensAsync(HashSet<string> tagKeys, CancellationToken cancellationToken)
    {
        var keys = new string[tagKeys.Count];
        tagKeys.CopyTo(keys);
        var tokens = await CurrentTagTokensAsync(keys, create: false, cancellationToken).ConfigureAwait(false);
        if (tokens is null)
        {
            return null;
        }

        var byKey = new Dictionary<string, TagTokens>(keys.Length, StringComparer.Ordinal);
        for (var i = 0; i < keys.Length; i++)
        {
            byKey[keys[i]] = tokens[i];
        }

        return byKey;
    }

    /// <summary>Checks tags against memory, then against the tokens fetched for a batch; a token neither has (Redis failed) is not valid.</summary>
    private TagCheck TagsStateWith(TagStamps stamps, long nowUnixMs, Dictionary<string, TagTokens>? fetched)
    {
        var inMemory = CheckTagsInMemory(stamps, nowUnixMs);
        if (inMemory != TagCheck.Unknown)
        {
            return inMemory;
        }

        var current = new TagTokens[stamps.TagKeys.Length];
        for (var i = 0; i < current.Length; i++)
        {
            if (fetched is not null && fetched.TryGetValue(stamps.TagKeys[i], out var tokens))
            {
                current[i] = tokens;
            }
            else if (_memory.TryGet(stamps.TagKeys[i], nowUnixMs, out var held) && TagTokens.TryFromMemory(held.Value, out var heldTokens))
            {
                current[i] = heldTokens;
            }
            else
            {
                return TagCheck.Invalid;
            }
        }

        return Combine(current, stamps.Tokens);
    }

    /// <summary>
    /// The current token of each tag: from L1, else from Redis in one pipelined round. With <paramref name="create"/>
    /// (a write), a missing token key is created first (<c>SET NX</c>, then <c>GET</c> on the same connection, so the
    /// reply is whoever won); without it, a missing key reads as 0. Null when Redis could not be asked.
    /// </summary>
    private async ValueTask<long[]?> CurrentTokensAsync(string[] tagKeys, bool create, CancellationToken cancellationToken)
    {
        if (await CurrentTagTokensAsync(tagKeys, create, cancellationToken).ConfigureAwait(false) is not { } all)
        {
            return null;
        }

        var tokens = new long[all.Length];
        for (var i = 0; i < all.Length; i++)
        {
            tokens[i] = all[i].Current;
        }

        return tokens;
    }

    /// <summary>As <see cref="CurrentTokensAsync"/>, with the tokens lazy invalidations replaced (what a read checks stale entries against).</summary>
    private async ValueTask<TagTokens[]?> CurrentTagTokensAsync(string[] tagKeys, bool create, CancellationToken cancellationToken)
    {
        var tokens = new TagTokens[tagKeys.Length];
        List<int>? missing = null;
        var now = NowUnixMs;
        for (var i = 0; i < tagKeys.Length; i++)
        {
            if (_memory.TryGet(tagKeys[i], now, out var entry) && TagTokens.TryFromMemory(entry.Value, out var held))
            {
                tokens[i] = held;
            }
            else
            {
                (missing ??= []).Add(i);
            }
        }

        if (missing is null)
        {
            return tokens;
        }

        var tickets = new FillTicket[missing.Count];
        var redisKeys = new RedisKey[missing.Count];
        for (var i = 0; i < missing.Count; i++)
        {
            tickets[i] = _memory.BeginFill(tagKeys[missing[i]]);
            redisKeys[i] = _keys.Qualify(tagKeys[missing[i]]);
        }

        // The keys' TTLs too when memory may keep the tokens (see RedisExpiryBound).
        var askedTtlAt = _memory.Mode is CacheCoherenceMode.Disabled ? 0 : NowUnixMs;
        var outcome = await CallRedisAsync(
            create ? "SET NX tag" : "GET tag",
            (Keys: redisKeys, Create: create, AskedTtlAt: askedTtlAt),
            static (db, s) => ReadTokensAsync(db, s.Keys, s.Create, s.AskedTtlAt),
            write: create,
            cancellationToken).ConfigureAwait(false);
        if (!outcome.Ok)
        {
            return null;
        }

        for (var i = 0; i < missing.Count; i++)
        {
            var (token, bound) = outcome.Value[i];
            if (token.Current == 0 && create)
            {
                // The token key could not be created or read back (the SET NX refused, the key lost or overwritten
                // in between): a write must not record 0, which a lost key would match again later.
                return null;
            }

            tokens[missing[i]] = token;

            // A token key with a remove-by-tag of ours still in doubt may be about to change without telling us.
            if (token.Current != 0 && !IsInDoubt(tagKeys[missing[i]]) && bound.IsKnown)
            {
                _memory.CompleteFill(tagKeys[missing[i]], tickets[i], TokenEntry(token, bound));
            }
        }

        return tokens;
    }

    /// <summary>
    /// The tokens of <paramref name="keys"/>, each with when its key ends in Redis (a <c>PTTL</c> sent before its
    /// <c>GET</c>, as for entries: see <see cref="RedisExpiryBound"/>), so memory never keeps a token past its key.
    /// With <paramref name="askedTtlAt"/> 0 (no memory tier) no <c>PTTL</c> is sent and every bound is unknown.
    /// </summary>
    private static async Task<(TagTokens Tokens, RedisExpiryBound Bound)[]> ReadTokensAsync(IDatabaseAsync database, RedisKey[] keys, bool create, long askedTtlAt)
    {
        var reads = new Task<RedisValue>[keys.Length];
        var timesToLive = new PipelinedTimesToLive(keys.Length, askedTtlAt);
        try
        {
            for (var i = 0; i < keys.Length; i++)
            {
                if (create)
                {
                    _ = database.StringSetAsync(keys[i], NewToken().ToString(CultureInfo.InvariantCulture), when: When.NotExists, flags: CommandFlags.FireAndForget);
                }

                timesToLive.Ask(database, i, keys[i]);
                reads[i] = database.StringGetAsync(keys[i]);
            }

            var values = await Task.WhenAll(reads).ConfigureAwait(false);
            var tokens = new (TagTokens, RedisExpiryBound)[keys.Length];
            for (var i = 0; i < values.Length; i++)
            {
                // Anything that is not a token (absent, or overwritten by another program) reads as 0: no entry matches it.
                tokens[i] = (TagTokens.Parse(values[i]), timesToLive.Take(i));
            }

            return tokens;
        }
        finally
        {
            timesToLive.ObserveUntaken();
        }
    }

    private enum TagCheck
    {
        Valid,

        /// <summary>Lazily invalidated: servable stale at once, to be refreshed.</summary>
        Stale,
        Invalid,
        Unknown,
    }
}
