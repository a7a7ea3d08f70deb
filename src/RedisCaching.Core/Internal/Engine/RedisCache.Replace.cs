using System;
using System.Threading;
using System.Threading.Tasks;
using StackExchange.Redis;

namespace RedisCaching.Internal.Engine;

/// <summary>
/// Sending an entry's SET under its <see cref="WriteCondition"/>, and the fill that replaces an entry its read could
/// not use: a script compares the key's bytes with the ones the read found and writes only if they are still there
/// (or the key is gone). So a write that landed while the factory ran (another instance's, or one from
/// <c>redis-cli</c>) stays, as it does after a <c>SET NX</c> fill. The comparison sends the old entry back to Redis
/// once: that is the cost, paid only by a fill over an entry that was there but unusable. Where scripts are refused
/// (Garnet without --lua, an ACL without <c>@scripting</c>) the fill is a plain SET, as it was before.
/// </summary>
internal sealed partial class RedisCache
{
    /// <summary>1 written; 0 the key holds other bytes now (left alone).</summary>
    private const string ReplaceHeldScript =
        "local held = redis.call('GET', KEYS[1]) " +
        "if held == false or held == ARGV[1] then redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3]) return 1 end return 0";

    private int _scriptsRefusalLogged;

    /// <summary>Starts the SET of <paramref name="value"/> under <paramref name="condition"/>; true when it was written.</summary>
    internal Task<bool> SetWhen(IDatabaseAsync database, RedisKey key, ReadOnlyMemory<byte> value, TimeSpan ttl, WriteCondition condition) =>
        condition.Held is { } held && !_scriptsRefused
            ? ReplaceHeldAsync(database, key, value, ttl, held)
            : database.StringSetAsync(key, value, ttl, when: condition.When);

    private async Task<bool> ReplaceHeldAsync(IDatabaseAsync database, RedisKey key, ReadOnlyMemory<byte> value, TimeSpan ttl, byte[] held)
    {
        try
        {
            var ttlMs = Math.Max(1L, (long)ttl.TotalMilliseconds);
            var written = await database.ScriptEvaluateAsync(ReplaceHeldScript, [key], [held, value, ttlMs]).ConfigureAwait(false);
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
