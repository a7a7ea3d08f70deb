using System.Collections.Generic;

namespace RedisCaching.Invalidation.Internal;

/// <summary>One checked rule: what an event invalidates, by templates over its declared arguments.</summary>
internal sealed record CacheEventRule(
    string EventName,
    IReadOnlyList<string> Arguments,
    IReadOnlyList<RuleTemplate> Keys,
    IReadOnlyList<RuleTemplate> Tags,
    IReadOnlyList<RuleTemplate> Patterns)
{
    /// <summary>Tags the rule marks stale (lazy) rather than removes.</summary>
    public IReadOnlyList<RuleTemplate> StaleTags { get; init; } = [];
}
