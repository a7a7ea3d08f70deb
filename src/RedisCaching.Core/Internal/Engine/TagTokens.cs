using System;
using System.Globalization;
using StackExchange.Redis;

namespace RedisCaching.Internal.Engine;

/// <summary>
/// What a tag's token key holds: the current token and, after lazy invalidations (<c>MarkStaleByTagAsync</c>), the
/// tokens they replaced, newest first. An entry that recorded the current token is valid; one that recorded a
/// replaced token is stale (served at once, refreshed in the background); any other is gone.
/// </summary>
/// <remarks>
/// Format in Redis: tokens in decimal separated by <c>;</c>, the current one last: <c>"913;-22;-4711"</c> (current
/// -4711, replaced -22 and before it 913). Eager removal writes a single token (the format since tags exist), so it
/// drops every replaced token; a lazy mark appends <c>;</c> and a new token (<c>APPEND</c>: atomic on every server,
/// no script, and it can never undo an eager removal that came first). Empty parts are skipped (a mark of a tag
/// nobody wrote creates <c>";-4711"</c>). Only the last <see cref="MaxStaleTokens"/> replaced tokens count; entries
/// older than that many lazy marks are gone. A reader that predates lazy invalidation cannot parse the longer form
/// and reads it as "no token": it treats a lazy invalidation as an eager one, the safe side.
/// </remarks>
internal readonly record struct TagTokens(long Current, long[]? Stale)
{
    /// <summary>How many lazily replaced tokens a tag keeps.</summary>
    public const int MaxStaleTokens = 16;

    /// <summary>Separates tokens in the token key's value.</summary>
    public const char Separator = ';';

    /// <summary>Valid, stale or invalid for an entry that recorded <paramref name="recorded"/> (0 is never valid: it stands for a missing key).</summary>
    public TokenState Check(long recorded)
    {
        if (recorded == 0)
        {
            return TokenState.Invalid;
        }

        if (recorded == Current)
        {
            return TokenState.Valid;
        }

        return Stale is { } stale && Array.IndexOf(stale, recorded) >= 0 ? TokenState.Stale : TokenState.Invalid;
    }

    /// <summary>The value to write to Redis: the replaced tokens oldest first, then the current one.</summary>
    public string Format()
    {
        var current = Current.ToString(CultureInfo.InvariantCulture);
        if (Stale is not { Length: > 0 } stale)
        {
            return current;
        }

        var builder = new System.Text.StringBuilder(21 * (stale.Length + 1));
        for (var i = stale.Length - 1; i >= 0; i--)
        {
            builder.Append(stale[i].ToString(CultureInfo.InvariantCulture)).Append(Separator);
        }

        return builder.Append(current).ToString();
    }

    /// <summary>Parses a token key's value; anything else (absent, foreign) is "no token" (current 0: nothing matches).</summary>
    public static TagTokens Parse(RedisValue value)
    {
        if (!value.HasValue)
        {
            return default;
        }

        var text = value.ToString().AsSpan();
        var last = text.LastIndexOf(Separator);
        if (last < 0)
        {
            return new TagTokens(ParseToken(text), null);
        }

        var current = ParseToken(text[(last + 1)..]);
        if (current == 0)
        {
            return default;
        }

        // From the end backwards: the newest replaced tokens first, at most MaxStaleTokens of them.
        var stale = new long[MaxStaleTokens];
        var count = 0;
        var rest = text[..last];
        while (count < MaxStaleTokens && !rest.IsEmpty)
        {
            var cut = rest.LastIndexOf(Separator);
            var part = rest[(cut + 1)..];
            rest = cut < 0 ? [] : rest[..cut];
            if (part.IsEmpty)
            {
                continue;
            }

            var token = ParseToken(part);
            if (token == 0)
            {
                // A damaged part: keep what is newer than it (entries go rather than come back).
                break;
            }

            stale[count++] = token;
        }

        return new TagTokens(current, count == 0 ? null : stale[..count]);
    }

    /// <summary>The tokens an L1 entry of a token key holds (a boxed <see cref="long"/> or a boxed <see cref="TagTokens"/>).</summary>
    public static bool TryFromMemory(object? value, out TagTokens tokens)
    {
        switch (value)
        {
            case long current:
                tokens = new TagTokens(current, null);
                return true;
            case TagTokens held:
                tokens = held;
                return true;
            default:
                tokens = default;
                return false;
        }
    }

    /// <summary>What L1 keeps: a plain token as a boxed long (what the generation and every unmarked tag use), else this.</summary>
    public object ToMemoryValue() => Stale is null ? Current : this;

    private static long ParseToken(ReadOnlySpan<char> text) =>
        long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var token) ? token : 0;
}
