using System;

namespace RedisCaching;

/// <summary>
/// Caches what an interface method returns. The <c>[Cached]</c> source generator (shipped in RedisCaching.Core as an
/// analyzer) emits a decorator of the interface that serves the method through <see cref="ICache.GetOrSetAsync{TState, T}"/>,
/// so single flight, fail-safe, the memory tier and tags apply; <c>AddCachedServices()</c> on the RedisCaching builder
/// wraps the interface's existing registration in it.
/// </summary>
/// <remarks>
/// The method must return <c>Task&lt;T&gt;</c> or <c>ValueTask&lt;T&gt;</c> and may not have <c>ref</c>, <c>out</c> or
/// <c>in</c> parameters. <see cref="System.Threading.CancellationToken"/> parameters are never part of the key: the
/// caller's token cancels its own wait, and the implementation receives the cache's factory token instead (cancelled at
/// <see cref="CacheEntryOptions.FactoryHardTimeout"/>), so one caller giving up does not fail the others.
/// Problems are compile-time errors (ids <c>RCG001</c> and up).
/// </remarks>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false, Inherited = false)]
public sealed class CachedAttribute : Attribute
{
    /// <summary>
    /// The key template: literal text with <c>{parameter}</c> or <c>{parameter.Member}</c> placeholders, an optional
    /// format after a colon (<c>{day:yyyyMMdd}</c>), and <c>{{</c> / <c>}}</c> for literal braces. Values are formatted
    /// with the invariant culture (dates and times as ISO 8601 unless a format is given).
    /// </summary>
    /// <value>
    /// The default value is <see langword="null"/>: the key is the interface name, a dot, the method name, then each
    /// argument after a colon (<c>IFeatureService.GetFeatureAsync:42</c>).
    /// </value>
    public string? Key { get; set; }

    /// <summary>The TTL profile the entry uses (see <see cref="CacheEntryOptions.Profile"/>), e.g. <c>features</c>.</summary>
    /// <value>The default value is <see langword="null"/>: the cache's defaults.</value>
    public string? Profile { get; set; }

    /// <summary>
    /// How long the entry lives after it is written, as a <see cref="TimeSpan"/> in its constant format
    /// (<c>"00:05:00"</c> for 5 minutes, <c>"1.00:00:00"</c> for a day); it wins over the profile's expiration.
    /// Checked at compile time.
    /// </summary>
    /// <value>The default value is <see langword="null"/>: the profile's, else the cache's default expiration.</value>
    public string? Expiration { get; set; }

    /// <summary>Tags of the entry (see <see cref="CacheEntryOptions.Tags"/>); templates like <see cref="Key"/>.</summary>
    /// <value>The default value is <see langword="null"/>: no tags beyond the profile's.</value>
#pragma warning disable CA1819 // Attribute arguments can only be arrays.
    public string[]? Tags { get; set; }
#pragma warning restore CA1819

    /// <summary>Whether a <see langword="null"/> result is cached too.</summary>
    /// <value>The default value is <see langword="false"/>: a <see langword="null"/> result is returned and not stored.</value>
    public bool CacheNull { get; set; }
}
