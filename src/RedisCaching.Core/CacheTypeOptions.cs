namespace RedisCaching;

/// <summary>
/// How values of one type are stored, whatever their profile says (<see cref="RedisCachingOptions.SetTypeOptions{T}"/>):
/// for a type that needs its own format, or that must always be compressed or encrypted.
/// </summary>
public sealed record CacheTypeOptions
{
    /// <summary>The serialization format by name; overrides the profile's and the entry's <see cref="CacheEntryOptions.Serializer"/>.</summary>
    public string? Serializer { get; init; }

    /// <summary>The compression codec by name (or <c>none</c>); overrides the profile's and the entry's <see cref="CacheEntryOptions.Compression"/>.</summary>
    public string? Compression { get; init; }

    /// <summary>Encrypt values of this type even where their profile does not ask for it (a type's values cannot opt out of a profile's encryption).</summary>
    public bool Encrypt { get; init; }
}
