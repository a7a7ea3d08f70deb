namespace RedisCaching.Internal.Engine;

/// <summary>How a <see cref="WriteCondition"/> is checked.</summary>
internal enum WriteConditionKind
{
    /// <summary>By the SET itself (<c>NX</c> or none).</summary>
    Plain,

    /// <summary>A script compares the whole entry the fill's read found.</summary>
    StillHolding,

    /// <summary>A script compares the creation time in the entry's header (a refresh, which read nothing).</summary>
    CreatedAt,
}
