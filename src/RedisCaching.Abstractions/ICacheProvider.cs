using System.Collections.Generic;

namespace RedisCaching;

/// <summary>
/// Looks named caches up by name, for code that picks a cache at run time. Each named cache is also a keyed
/// service: <c>[FromKeyedServices("reports")] ICache</c>. The main cache is the unkeyed <see cref="ICache"/>.
/// </summary>
public interface ICacheProvider
{
    /// <summary>The names of the registered named caches.</summary>
    IReadOnlyCollection<string> Names { get; }

    /// <summary>The named cache <paramref name="name"/> (the same instance as the keyed service).</summary>
    /// <param name="name">The name the cache was registered with (ordinal, case-sensitive).</param>
    /// <returns>The cache.</returns>
    /// <exception cref="System.ArgumentException">No cache of that name is registered; the message lists the names that are.</exception>
    ICache GetCache(string name);
}
