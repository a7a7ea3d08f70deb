using System;
using System.Text;

namespace RedisCaching.Invalidation;

/// <summary>Builds patterns for <see cref="ICacheInvalidator.InvalidateByPatternAsync"/>.</summary>
public static class CachePattern
{
    /// <summary>
    /// Quotes the glob characters (<c>* ? [ ] \</c>) of a literal key part, so it matches only itself:
    /// <c>"user:" + CachePattern.Escape(userId) + ":*"</c>.
    /// </summary>
    /// <param name="literal">A part of a key, e.g. an id.</param>
    /// <returns>The part with each glob character preceded by <c>\</c>.</returns>
    public static string Escape(string literal)
    {
        ArgumentNullException.ThrowIfNull(literal);
        if (literal.AsSpan().IndexOfAny(GlobCharacters) < 0)
        {
            return literal;
        }

        var builder = new StringBuilder(literal.Length + 8);
        foreach (var c in literal)
        {
            if (GlobCharacters.Contains(c, StringComparison.Ordinal))
            {
                builder.Append('\\');
            }

            builder.Append(c);
        }

        return builder.ToString();
    }

    private const string GlobCharacters = "*?[]\\";
}
