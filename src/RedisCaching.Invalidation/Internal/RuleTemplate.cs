using System;
using System.Collections.Generic;
using System.Text;

namespace RedisCaching.Invalidation.Internal;

/// <summary>
/// A key, tag or pattern of an event rule with <c>{argument}</c> placeholders, parsed once at registration so every
/// mistake surfaces at start-up. <c>{{</c> and <c>}}</c> stand for literal braces (cluster hash tags).
/// </summary>
internal sealed class RuleTemplate
{
    private readonly (string Text, bool IsArgument)[] _parts;

    private RuleTemplate(string source, (string, bool)[] parts)
    {
        Source = source;
        _parts = parts;
    }

    public string Source { get; }

    /// <summary>Parses <paramref name="template"/>; every placeholder must be one of <paramref name="arguments"/>.</summary>
    /// <exception cref="ArgumentException">Unbalanced braces, an undeclared or malformed placeholder, a character no key holds.</exception>
    public static RuleTemplate Parse(string eventName, string kind, string template, IReadOnlyCollection<string> arguments)
    {
        ArgumentException.ThrowIfNullOrEmpty(template);
        var parts = new List<(string, bool)>();
        var literal = new StringBuilder();
        for (var i = 0; i < template.Length; i++)
        {
            var c = template[i];
            if (c is '{' or '}' && i + 1 < template.Length && template[i + 1] == c)
            {
                literal.Append(c);
                i++;
                continue;
            }

            if (c == '}')
            {
                throw Fail(eventName, kind, template, "has a '}' without its '{' (write '}}' for a literal brace)");
            }

            if (c == '{')
            {
                var end = template.IndexOf('}', i + 1);
                if (end < 0)
                {
                    throw Fail(eventName, kind, template, "has a '{' without its '}' (write '{{' for a literal brace)");
                }

                var name = template[(i + 1)..end];
                if (!CacheEventNames.IsValidArgumentName(name))
                {
                    throw Fail(eventName, kind, template, $"has a malformed placeholder '{{{name}}}' (letters, digits, '_', '-', '.')");
                }

                if (!Contains(arguments, name))
                {
                    throw Fail(eventName, kind, template, $"uses the placeholder '{{{name}}}', which is not one of the rule's arguments ({(arguments.Count == 0 ? "none declared" : string.Join(", ", arguments))}); declare it with .Arguments(\"{name}\")");
                }

                if (literal.Length > 0)
                {
                    parts.Add((literal.ToString(), false));
                    literal.Clear();
                }

                parts.Add((name, true));
                i = end;
                continue;
            }

            if (char.IsWhiteSpace(c) || char.IsControl(c) || c == ICacheKeySpace.InternalKeyMarker)
            {
                throw Fail(eventName, kind, template, $"has a character no cache key holds (U+{(int)c:X4})");
            }

            literal.Append(c);
        }

        if (literal.Length > 0)
        {
            parts.Add((literal.ToString(), false));
        }

        return new RuleTemplate(template, [.. parts]);
    }

    /// <summary>The template with each placeholder replaced by its argument; glob-quoted for patterns, so an argument never widens one.</summary>
    public string Render(IReadOnlyDictionary<string, string> arguments, bool quoteForGlob)
    {
        var builder = new StringBuilder();
        foreach (var (text, isArgument) in _parts)
        {
            builder.Append(!isArgument ? text : quoteForGlob ? CachePattern.Escape(arguments[text]) : arguments[text]);
        }

        return builder.ToString();
    }

    private static bool Contains(IReadOnlyCollection<string> arguments, string name)
    {
        foreach (var argument in arguments)
        {
            if (string.Equals(argument, name, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    private static ArgumentException Fail(string eventName, string kind, string template, string problem) =>
        new($"The {kind} '{template}' of the rule for event '{eventName}' {problem}.", nameof(template));
}
