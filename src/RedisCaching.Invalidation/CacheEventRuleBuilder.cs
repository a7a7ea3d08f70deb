using System;
using System.Collections.Generic;
using RedisCaching.Invalidation.Internal;

namespace RedisCaching.Invalidation;

/// <summary>
/// What one domain event invalidates, given to <c>MapEvent(name, r => …)</c>: keys, tags and patterns of the main
/// cache, each a template whose <c>{argument}</c> placeholders come from the event's arguments
/// (<c>r.Arguments("id").Tag("requirements").Pattern("user:{id}:*")</c>). Checked when <c>MapEvent</c> runs: a
/// placeholder that is not a declared argument, unbalanced braces, or a character no key holds throw there.
/// </summary>
/// <remarks>
/// <c>{{</c> and <c>}}</c> are literal braces (a cluster hash tag: <c>{{user:{id}}}:*</c>). An argument put into a
/// pattern is glob-quoted, so an id of <c>*</c> matches only the key part <c>*</c>, never every key.
/// </remarks>
public sealed class CacheEventRuleBuilder
{
    private readonly List<string> _arguments = [];
    private readonly List<string> _keys = [];
    private readonly List<string> _tags = [];
    private readonly List<string> _staleTags = [];
    private readonly List<string> _patterns = [];

    internal CacheEventRuleBuilder()
    {
    }

    /// <summary>Declares the event's arguments the templates may use; each must be present when the event is raised.</summary>
    /// <param name="names">Argument names: letters, digits, <c>_</c>, <c>-</c>, <c>.</c>.</param>
    /// <returns>This builder.</returns>
    public CacheEventRuleBuilder Arguments(params string[] names)
    {
        ArgumentNullException.ThrowIfNull(names);
        foreach (var name in names)
        {
            if (!CacheEventNames.IsValidArgumentName(name))
            {
                throw new ArgumentException($"'{name}' is not a valid argument name (letters, digits, '_', '-', '.'; at most {CacheEventNames.MaxNameLength} characters).", nameof(names));
            }

            if (!_arguments.Contains(name))
            {
                _arguments.Add(name);
            }
        }

        return this;
    }

    /// <summary>Removes one entry and what depends on it (<see cref="ICacheDependencies.InvalidateAsync"/>).</summary>
    /// <param name="template">The key, e.g. <c>requirement:{id}</c>.</param>
    /// <returns>This builder.</returns>
    public CacheEventRuleBuilder Key(string template) => Add(_keys, template);

    /// <summary>Removes every entry written with a tag (<see cref="ICache.RemoveByTagAsync"/>), in O(1).</summary>
    /// <param name="template">The tag, e.g. <c>requirements</c> or <c>project:{projectId}</c>.</param>
    /// <returns>This builder.</returns>
    public CacheEventRuleBuilder Tag(string template) => Add(_tags, template);

    /// <summary>
    /// Invalidates every entry written with a tag, in O(1): removed now (<see cref="CacheInvalidationMode.Eager"/>, as
    /// <see cref="Tag(string)"/>), or marked stale (<see cref="CacheInvalidationMode.Lazy"/>,
    /// <see cref="ICache.MarkStaleByTagAsync"/>): the next get-or-set returns the old value flagged stale and refreshes it
    /// in the background.
    /// </summary>
    /// <param name="template">The tag, e.g. <c>requirements</c> or <c>project:{projectId}</c>.</param>
    /// <param name="mode">Eager or lazy.</param>
    /// <returns>This builder.</returns>
    public CacheEventRuleBuilder Tag(string template, CacheInvalidationMode mode) => mode switch
    {
        CacheInvalidationMode.Eager => Add(_tags, template),
        CacheInvalidationMode.Lazy => Add(_staleTags, template),
        _ => throw new ArgumentOutOfRangeException(nameof(mode), mode, "Eager or Lazy."),
    };

    /// <summary>Removes every entry whose key matches a glob (<see cref="ICacheInvalidator.InvalidateByPatternAsync"/>: SCAN + UNLINK, throttled).</summary>
    /// <param name="template">The pattern, e.g. <c>user:{id}:*</c>.</param>
    /// <returns>This builder.</returns>
    public CacheEventRuleBuilder Pattern(string template) => Add(_patterns, template);

    internal CacheEventRule Build(string eventName)
    {
        if (_keys.Count + _tags.Count + _staleTags.Count + _patterns.Count == 0)
        {
            throw new ArgumentException($"The rule for event '{eventName}' invalidates nothing: give it a Key, Tag or Pattern.");
        }

        var keys = _keys.ConvertAll(t => RuleTemplate.Parse(eventName, "key", t, _arguments));
        var tags = _tags.ConvertAll(t => RuleTemplate.Parse(eventName, "tag", t, _arguments));
        var staleTags = _staleTags.ConvertAll(t => RuleTemplate.Parse(eventName, "tag", t, _arguments));
        var patterns = _patterns.ConvertAll(t =>
        {
            var parsed = RuleTemplate.Parse(eventName, "pattern", t, _arguments);
            var sample = new Dictionary<string, string>(StringComparer.Ordinal);
            _arguments.ForEach(a => sample[a] = "x");
            try
            {
                PatternGlob.Validate(parsed.Render(sample, quoteForGlob: true));
            }
            catch (ArgumentException e)
            {
                throw new ArgumentException($"The pattern '{t}' of the rule for event '{eventName}' is not valid: {e.Message}", e);
            }

            return parsed;
        });
        return new CacheEventRule(eventName, [.. _arguments], [.. keys], [.. tags], [.. patterns]) { StaleTags = [.. staleTags] };
    }

    private CacheEventRuleBuilder Add(List<string> list, string template)
    {
        ArgumentException.ThrowIfNullOrEmpty(template);
        list.Add(template);
        return this;
    }
}
