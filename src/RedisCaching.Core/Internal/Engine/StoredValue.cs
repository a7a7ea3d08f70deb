namespace RedisCaching.Internal.Engine;

/// <summary>A value read from a tier with the times that decide whether it is fresh, stale or gone.</summary>
internal readonly record struct StoredValue<T>(T Value, CacheTier Tier, long CreatedAtUnixMs, long LogicalExpiresAtUnixMs, long HardExpiresAtUnixMs)
{
    public bool IsFreshAt(long nowUnixMs) => nowUnixMs < LogicalExpiresAtUnixMs;

    public bool IsUsableAt(long nowUnixMs) => nowUnixMs < HardExpiresAtUnixMs;

    /// <summary>The same value, no longer fresh at <paramref name="nowUnixMs"/> (still usable as a fail-safe fallback until its hard expiry).</summary>
    public StoredValue<T> ExpiredAt(long nowUnixMs) =>
        nowUnixMs < LogicalExpiresAtUnixMs ? this with { LogicalExpiresAtUnixMs = nowUnixMs } : this;
}
