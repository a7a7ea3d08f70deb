namespace RedisCaching;

/// <summary>
/// Given to a factory so it can decide the entry's options from the value it produced (for example a token's own
/// lifetime), or tell the cache not to store what it returned.
/// </summary>
public sealed class CacheFactoryContext
{
    /// <summary>Creates a context with the options the call resolved.</summary>
    /// <param name="key">The cache key as the caller gave it.</param>
    /// <param name="options">The options the call resolved.</param>
    public CacheFactoryContext(string key, CacheEntryOptions options)
    {
        Key = key;
        Options = options;
    }

    /// <summary>The cache key as the caller gave it.</summary>
    public string Key { get; }

    /// <summary>The options the entry will be stored with; the factory may replace them.</summary>
    public CacheEntryOptions Options { get; set; }

    /// <summary>Set to <see langword="true"/> to return the value without storing it (e.g. an error page).</summary>
    public bool DoNotCache { get; set; }
}
