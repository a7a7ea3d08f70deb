using System;

namespace RedisCaching;

/// <summary>
/// Evicts cache entries after an interface method completes: the decorator the <c>[Cached]</c> source generator emits
/// runs the implementation, then removes each key in <see cref="Keys"/> (<see cref="ICache.RemoveAsync"/>) and each tag
/// in <see cref="Tags"/> (<see cref="ICache.RemoveByTagAsync"/>). When the implementation throws, nothing is removed.
/// </summary>
/// <remarks>
/// The method must return <c>Task</c>, <c>ValueTask</c>, <c>Task&lt;T&gt;</c> or <c>ValueTask&lt;T&gt;</c> and may not
/// have <c>ref</c>, <c>out</c> or <c>in</c> parameters. Templates are evaluated after the implementation returned (so
/// an id it assigned is seen), and the removals are not cancelled by the caller's token: once the change is made, its
/// entries go.
/// </remarks>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false, Inherited = false)]
public sealed class CacheInvalidateAttribute : Attribute
{
    /// <summary>Key templates to remove, written like <see cref="CachedAttribute.Key"/> (<c>feature:{feature.Id}</c>).</summary>
    /// <value>The default value is <see langword="null"/>: no keys.</value>
#pragma warning disable CA1819 // Attribute arguments can only be arrays.
    public string[]? Keys { get; set; }

    /// <summary>Tags to remove (every entry carrying one is removed, on every instance); templates like the keys.</summary>
    /// <value>The default value is <see langword="null"/>: no tags.</value>
    public string[]? Tags { get; set; }
#pragma warning restore CA1819
}
