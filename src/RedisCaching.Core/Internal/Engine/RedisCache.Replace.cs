using System;
using System.Threading;
using System.Threading.Tasks;
using StackExchange.Redis;

namespace RedisCaching.Internal.Engine;

/// <summary>
/// Sending an entry's SET under its <see cref="WriteCondition"/>. A fill that replaces an entry its read could not use
/// runs a script that compares the key's bytes with the ones the read found and writes only if they are still there
/// (or the key is gone); a refresh, which read nothing, compares the creation time in the header with the one of the
/// entry it refreshes. So a write that landed while the factory ran (another instance's, or one from
/// <c>redis-cli</c>) stays, as it does after a <c>SET NX</c> fill. The first comparison sends the old entry back to
/// Redis once: that is its cost, paid only by a fill over an entry that was there but unusable. Where scripts are
/// refused (Garnet without --lua, an ACL without <c>@scripting</c>) both are a plain SET, as they were before.
/// </summary>
internal sealed partial class RedisCache
{
    /// <summary>1 written; 0 the key holds other bytes now (left alone).</summary>
    private const string ReplaceHeldScript =
        "local held = redis.call('GET', KEYS[1]) " +
        "if held == false or held == ARGV[1] then redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3]) return 1 end return 0";

    /// <summary>As <see cref="ReplaceHeldScript"/>, comparing the creation time (header bytes 9-16; a missing key reads as "").</summary>
    private const string ReplaceCreatedAtScript =
        "local created = redis.call('GETRANGE', KEYS[1], 9, 16) " +
        "if created == '' or created == ARGV[1] then redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3]) return 1 end return 0";

    private int _scriptsRefusalLogged;

    /// <summary>Starts the SET of <paramref name="value"/> under <paramref name="condition"/>; true when it was written.</summary>
    internal Task<bool> SetWhen(IDatabaseAsync database, RedisKey key, ReadOnlyMemory<byte> value, TimeSpan ttl, WriteCondition condition) =>
        condition.Kind != WriteConditionKind.Plain && !_scriptsRefused
            ? ReplaceAsync(database, key, value, ttl, condition)
            : database.StringSetAsync(key, value, ttl, when: condition.When);

    private async Task<bool> ReplaceAsync(IDatabaseAsync database, RedisKey key, ReadOnlyMemory<byte> value, TimeSpan ttl, WriteCondition condition)
    {
        try
        {
            var ttlMs = Math.Max(1L, (long)ttl.TotalMilliseconds);
            var script = condition.Kind == WriteConditionKind.CreatedAt ? ReplaceCreatedAtScript : ReplaceHeldScript;
            var written = await database.ScriptEvaluateAsync(script, [key], [condition.Expected, value, ttlMs]).ConfigureAwait(false);
            return (long)written == 1;
        }
        catch (RedisServerException ex) when (IsScriptingRefused(ex))
        {
            NoteScriptsRefused();
        }

        // Without scripts, as before them: replaced unconditionally.
        return await database.StringSetAsync(key, value, ttl).ConfigureAwait(false);
    }

    /// <summary>The server refused a script: every scripted path falls back from now on; said once.</summary>
    private void NoteScriptsRefused()
    {
        _scriptsRefused = true;
        if (Interlocked.Exchange(ref _scriptsRefusalLogged, 1) == 0)
        {
            Log.ScriptsRefused(_logger);
        }
    }
}
