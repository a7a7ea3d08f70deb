namespace RedisCaching.Internal.Engine;

/// <summary>What one recorded tag token is worth against a tag's current tokens.</summary>
internal enum TokenState
{
    /// <summary>The current token: the entry is fresh as far as this tag goes.</summary>
    Valid,

    /// <summary>A token a lazy invalidation replaced: the entry may be served stale and must be refreshed.</summary>
    Stale,

    /// <summary>Any other token: the entry is gone.</summary>
    Invalid,
}
