using System;
using System.Collections.Generic;
using System.Text.Json;

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

    /// <summary>The in-process tier (section <c>RedisCaching:Memory</c>).</summary>
    public MemoryTierOptions Memory { get; set; } = new();

    /// <summary>How cache keys become Redis keys (section <c>RedisCaching:Keys</c>).</summary>
    public CacheKeyOptions Keys { get; set; } = new();

    /// <summary>What an entry gets when neither the call nor its profile says otherwise.</summary>
    /// <value>The default value is a 5 minute expiration with a 1 hour fail-safe window.</value>
    public CacheEntryOptions DefaultEntryOptions { get; set; } = new()
    {
        Expiration = TimeSpan.FromMinutes(5),
        FailSafeMaxDuration = TimeSpan.FromHours(1),
    };

    /// <summary>Named profiles (section <c>RedisCaching:Profiles:{name}</c>); starts with <see cref="CacheProfiles.CreateDefaults"/>.</summary>
    public IDictionary<string, CacheEntryOptions> Profiles { get; } = CacheProfiles.CreateDefaults();

    /// <summary>
    /// The most a cache call waits on Redis before it treats Redis as failed (a miss for reads, a counted no-op for
    /// writes), so a slow or dead Redis never holds the app up for longer.
    /// </summary>
    /// <value>The default value is 250 milliseconds.</value>
    public TimeSpan RedisTimeout { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>Whether a Redis failure reaches the caller as an exception instead of degrading to memory and the factory.</summary>
    /// <value>The default value is <see langword="false"/>.</value>
    public bool ThrowOnRedisFailure { get; set; }

    /// <summary>
    /// Consecutive Redis failures after which the cache stops calling Redis for <see cref="CircuitBreakDuration"/>. Failures
    /// less than 100 ms after the last one counted count as the same failure: a dropped connection fails every call in
    /// flight on it at once, and that is one event.
    /// </summary>
    /// <value>The default value is 5.</value>
    public int CircuitBreakerThreshold { get; set; } = 5;

    /// <summary>How long the circuit stays open before one probe call is let through.</summary>
    /// <value>The default value is 5 seconds.</value>
    public TimeSpan CircuitBreakDuration { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>After fail-safe served a stale value, how long it is served before the factory is tried again.</summary>
    /// <value>The default value is 30 seconds.</value>
    public TimeSpan FailSafeThrottleDuration { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How many Redis reads of this cache may be in flight at once before a further read waits for the next reply and
    /// goes, with every other read waiting, in one <c>MGET</c> (never on a cluster). Below it every read sends its own
    /// GET, so a read that has the connection to itself never waits; above it many concurrent reads cost Redis and this
    /// process one command instead of one each. Zero turns coalescing off.
    /// </summary>
    /// <value>The default value is 8.</value>
    public int CoalesceReadsAbove { get; set; } = 8;

    /// <summary>
    /// The System.Text.Json options values are serialized with. AOT apps set a <c>TypeInfoResolver</c> from their
    /// source-generated <c>JsonSerializerContext</c>.
    /// </summary>
    /// <value>The default value is web defaults (camelCase) with reflection-based metadata where the app allows reflection.</value>
    public JsonSerializerOptions JsonSerializerOptions { get; set; } = new(JsonSerializerDefaults.Web);

    /// <summary>When payloads are compressed and the decompression limit (section <c>RedisCaching:Compression</c>).</summary>
    public CompressionOptions Compression { get; set; } = new();

    /// <summary>Per-type storage choices, set with <see cref="SetTypeOptions{T}"/> (code only: type names are never read from configuration).</summary>
    public IDictionary<Type, CacheTypeOptions> TypeOptions { get; } = new Dictionary<Type, CacheTypeOptions>();

    /// <summary>Stores values of <typeparamref name="T"/> as <paramref name="options"/> says, whatever their profile says.</summary>
    /// <typeparam name="T">The value type (exactly this type: not its subtypes).</typeparam>
    /// <param name="options">The type's format, codec and encryption.</param>
    /// <returns>These options, for chaining.</returns>
    public RedisCachingOptions SetTypeOptions<T>(CacheTypeOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        TypeOptions[typeof(T)] = options;
        return this;
    }
}
