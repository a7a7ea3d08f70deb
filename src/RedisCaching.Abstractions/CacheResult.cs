using System;
using System.Collections.Generic;

namespace RedisCaching;

/// <summary>
/// The outcome of a cache read: the value if there was one, the tier that answered, and whether the value is stale
/// (served by fail-safe after its logical expiry because the factory or Redis failed). <c>default</c> is a miss.
/// </summary>
/// <typeparam name="T">The value type.</typeparam>
public readonly struct CacheResult<T> : IEquatable<CacheResult<T>>
{
    private readonly T _value;

    /// <summary>Creates a result that holds a value.</summary>
    /// <param name="value">The value.</param>
    /// <param name="tier">The tier that answered.</param>
    /// <param name="isStale">Whether fail-safe served it after its logical expiry.</param>
    public CacheResult(T value, CacheTier tier, bool isStale = false)
    {
        _value = value;
        Tier = tier;
        IsStale = isStale;
        HasValue = true;
    }

    /// <summary>Whether the result holds a value.</summary>
    public bool HasValue { get; }

    /// <summary>The value; throws on a miss, so a miss is never mistaken for a default value.</summary>
    /// <exception cref="InvalidOperationException">The result is a miss.</exception>
    public T Value => HasValue ? _value : throw new InvalidOperationException("The cache result is a miss; check HasValue first.");

    /// <summary>The tier that answered, <see cref="CacheTier.None"/> on a miss.</summary>
    public CacheTier Tier { get; }

    /// <summary>Whether fail-safe served the value after its logical expiry.</summary>
    public bool IsStale { get; }

    /// <summary>The value, or <paramref name="fallback"/> on a miss.</summary>
    /// <param name="fallback">What to return on a miss.</param>
    /// <returns>The value or the fallback.</returns>
    public T GetValueOrDefault(T fallback) => HasValue ? _value : fallback;

    /// <inheritdoc/>
    public bool Equals(CacheResult<T> other) =>
        HasValue == other.HasValue && Tier == other.Tier && IsStale == other.IsStale && EqualityComparer<T>.Default.Equals(_value, other._value);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is CacheResult<T> other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(HasValue, Tier, IsStale, _value);

    /// <summary>Compares two results.</summary>
    /// <param name="left">The first result.</param>
    /// <param name="right">The second result.</param>
    /// <returns>Whether they are equal.</returns>
    public static bool operator ==(CacheResult<T> left, CacheResult<T> right) => left.Equals(right);

    /// <summary>Compares two results.</summary>
    /// <param name="left">The first result.</param>
    /// <param name="right">The second result.</param>
    /// <returns>Whether they differ.</returns>
    public static bool operator !=(CacheResult<T> left, CacheResult<T> right) => !left.Equals(right);

    /// <inheritdoc/>
    public override string ToString() => HasValue ? $"{Tier}{(IsStale ? " (stale)" : string.Empty)}: {_value}" : "miss";
}
