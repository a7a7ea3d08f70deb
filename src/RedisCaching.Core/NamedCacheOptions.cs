using System;
using System.Collections.Generic;

namespace RedisCaching;

/// <summary>
/// The settings of one named cache (<c>AddNamedCache</c>). Each starts as a copy of the main cache's settings, with
/// <see cref="CacheKeyOptions.Namespace"/> set to the cache's name so that its entries live apart; then the
/// configuration section <c>RedisCaching:Caches:{name}</c> applies, then the code passed to <c>AddNamedCache</c>.
/// Named caches share the main cache's Redis connection, Redis budget, circuit-breaker settings and serializer options.
/// </summary>
public sealed class NamedCacheOptions
{
    /// <summary>The configuration section, under <c>RedisCaching</c>, whose children configure named caches by name.</summary>
    public const string SectionName = "Caches";

    /// <summary>How this cache's keys become Redis keys (section <c>Keys</c>).</summary>
    /// <value>The default value is a copy of the main cache's, with <see cref="CacheKeyOptions.Namespace"/> = the cache's name.</value>
    public CacheKeyOptions Keys { get; set; } = new();

    /// <summary>What an entry gets when neither the call nor its profile says otherwise (section <c>Defaults</c>).</summary>
    /// <value>The default value is the main cache's <see cref="RedisCachingOptions.DefaultEntryOptions"/>.</value>
    public CacheEntryOptions DefaultEntryOptions { get; set; } = new();

    /// <summary>Named profiles (section <c>Profiles:{profile}</c>).</summary>
    /// <value>The default value is a copy of the main cache's profiles.</value>
    public IDictionary<string, CacheEntryOptions> Profiles { get; } = new Dictionary<string, CacheEntryOptions>(StringComparer.OrdinalIgnoreCase);

    /// <summary>This cache's in-process tier (section <c>Memory</c>): its own store and its own small tracking connection.</summary>
    /// <value>The default value is a copy of the main cache's <see cref="RedisCachingOptions.Memory"/>.</value>
    public MemoryTierOptions Memory { get; set; } = new();
}
