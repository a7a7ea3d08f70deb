namespace RedisCaching.Invalidation;

/// <summary>Names the tag that stands for "depends on this key" (see <see cref="ICacheDependencies"/>).</summary>
public static class CacheDependency
{
    /// <summary>What every dependency tag starts with.</summary>
    public const string TagPrefix = "dep:";

    /// <summary>The tag every entry that depends on <paramref name="key"/> carries: <c>dep:{key}</c>. Removing it (any way) invalidates them all.</summary>
    /// <param name="key">The key depended on.</param>
    /// <returns>The tag.</returns>
    public static string Tag(string key) => TagPrefix + key;
}
