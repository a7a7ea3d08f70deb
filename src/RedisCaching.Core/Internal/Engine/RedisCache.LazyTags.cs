using System;
using System.Globalization;
using System.Threading;
using System.Threading.Tasks;
using StackExchange.Redis;

namespace RedisCaching.Internal.Engine;

/// <summary>
/// Lazy invalidation by tag (stale-while-revalidate). Where remove-by-tag replaces a tag's token, marking a tag stale
/// appends a new token to the token key, so the one it replaces stays listed as stale (<see cref="TagTokens"/>):
/// entries that recorded it are no longer fresh, yet a get-or-set serves them at once, flagged stale, and refreshes
/// them in the background (the eager-refresh path). The state is the token key itself, so every instance learns of
/// it as it learns of a remove-by-tag (tracking or the backplane drops its L1 copy of the token), and it outlives our
/// processes.
/// </summary>
internal sealed partial class RedisCache
{
    /// <summary>Past this length the token key is compacted to its last <see cref="TagTokens.MaxStaleTokens"/> replaced tokens (about 21 bytes per mark).</summary>
    private const long CompactTokensAboveBytes = 1024;

    /// <summary>Compare-and-set: writes ARGV[2] only while the key still holds ARGV[1] (what the client read). 1 written, 0 changed meanwhile.</summary>
    private const string CompareAndSetScript =
        "if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('SET', KEYS[1], ARGV[2]) return 1 end return 0";

    public async ValueTask<bool> MarkStaleByTagAsync(string tag, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(tag);
        var tagKey = _keys.ToTagKey(tag);
        var ticket = _memory.BeginFill(tagKey);
        var confirmed = false;
        try
        {
            var redisKey = _keys.Qualify(tagKey);

            // APPEND, not read-modify-write: atomic without a script or WATCH, and whatever came before (another mark,
            // a remove-by-tag) stays in force: the new token is current, the one before it stale, older ones as they were.
            var outcome = await CallRedisAsync(
                "APPEND tag",
                (Key: (RedisKey)redisKey, Suffix: TagTokens.Separator + NewToken().ToString(CultureInfo.InvariantCulture)),
                static (db, s) => db.StringAppendAsync(s.Key, s.Suffix),
                write: true,
                cancellationToken).ConfigureAwait(false);
            if (!outcome.Ok)
            {
                return false;
            }

            confirmed = true;

            // The reply is only the new length: L1 drops its copy, and reads it back below so that this instance's
            // next hits are answered from memory again.
            _memory.CompleteOwnWrite(tagKey, ticket, null);
            if (outcome.Value > CompactTokensAboveBytes)
            {
                await CompactTokensAsync(redisKey, cancellationToken).ConfigureAwait(false);
            }

            var told = await PublishOwnWriteAsync(redisKey).ConfigureAwait(false);
            _ = await CurrentTagTokensAsync([tagKey], create: false, cancellationToken).ConfigureAwait(false);
            return told;
        }
        finally
        {
            if (!confirmed)
            {
                AfterUncertainWrite(tagKey, ticket);
            }
        }
    }

    /// <summary>
    /// Rewrites a long token list as what it means (readers count only the last <see cref="TagTokens.MaxStaleTokens"/>
    /// replaced tokens, so nothing changes for them), by a compare-and-set script so that a concurrent mark or removal
    /// is never overwritten. Best effort: where scripts are refused the list keeps growing until the next remove-by-tag.
    /// </summary>
    private async ValueTask CompactTokensAsync(string redisKey, CancellationToken cancellationToken)
    {
        if (_scriptsRefused)
        {
            return;
        }

        var outcome = await CallRedisAsync(
            "EVAL compact",
            (RedisKey)redisKey,
            static (db, key) => CompactByScriptAsync(db, key),
            write: true,
            cancellationToken).ConfigureAwait(false);
        if (outcome.Ok && outcome.Value == ScriptsRefused)
        {
            NoteScriptsRefused();
        }
    }

    private static async Task<long> CompactByScriptAsync(IDatabaseAsync database, RedisKey key)
    {
        var read = await database.StringGetAsync(key).ConfigureAwait(false);
        var tokens = TagTokens.Parse(read);
        if (tokens.Current == 0)
        {
            return 0;
        }

        try
        {
            return (long)await database.ScriptEvaluateAsync(CompareAndSetScript, [key], [read, tokens.Format()]).ConfigureAwait(false);
        }
        catch (RedisServerException ex) when (IsScriptingRefused(ex))
        {
            return ScriptsRefused;
        }
    }
}
