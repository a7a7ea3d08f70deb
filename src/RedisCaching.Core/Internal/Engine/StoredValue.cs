namespace RedisCaching.Internal.Engine;

/// <summary>A value read from a tier with the times that decide whether it is fresh, stale or gone.</summary>
internal readonly record struct StoredValue<T>(T Value, CacheTier Tier, long CreatedAtUnixMs, long LogicalExpiresAtUnixMs, long HardExpiresAtUnixMs)
{
    /// <summary>
    /// Lazily invalidated (one of its tags was marked stale after it was written): never fresh again; served stale at
    /// once while within its logical life, and refreshed. Past its logical life the usual fail-safe rules apply.
    /// </summary>
    public bool Marked { get; init; }

    public bool IsFreshAt(long nowUnixMs) => !Marked && nowUnixMs < LogicalExpiresAtUnixMs;

    /// <summary>Marked stale and still within its logical life: served at once (flagged stale) while a refresh runs.</summary>
    public bool IsLazilyStaleAt(long nowUnixMs) => Marked && nowUnixMs < LogicalExpiresAtUnixMs;

    public bool IsUsableAt(long nowUnixMs) => nowUnixMs < HardExpiresAtUnixMs;

    /// <summary>The same value, no longer fresh at <paramref name="nowUnixMs"/> (still usable as a fail-safe fallback until its hard expiry).</summary>
    public StoredValue<T> ExpiredAt(long nowUnixMs) =>
        nowUnixMs < LogicalExpiresAtUnixMs ? this with { LogicalExpiresAtUnixMs = nowUnixMs } : this;
}
