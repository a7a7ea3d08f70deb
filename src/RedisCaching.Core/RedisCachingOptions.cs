namespace RedisCaching;

/// <summary>
/// Root options of RedisCaching, bound from the configuration section <c>RedisCaching</c>.
/// </summary>
public sealed class RedisCachingOptions
{
    /// <summary>The name of the configuration section these options bind from.</summary>
    public const string SectionName = "RedisCaching";

    /// <summary>How to reach Redis (section <c>RedisCaching:Redis</c>).</summary>
    public RedisConnectionOptions Redis { get; set; } = new();
}
