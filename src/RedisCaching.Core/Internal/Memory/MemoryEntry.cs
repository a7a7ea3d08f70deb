using System;
using System.Threading;

namespace RedisCaching.Internal.Memory;

/// <summary>One L1 entry: the value as the caller gets it, its estimated size and its expiries.</summary>
/// <param name="Value">The deserialized value (returned as is for immutable types).</param>
/// <param name="SizeBytes">The estimated size, for the byte bound (the serialized length is a good estimate).</param>
/// <param name="HardExpiresAt">When the entry must be gone: never later than the Redis entry's expiry.</param>
/// <param name="LogicalExpiresAt">When the value stops being fresh (fail-safe may still serve it until <paramref name="HardExpiresAt"/>).</param>
internal sealed record MemoryEntry(object? Value, long SizeBytes, DateTimeOffset HardExpiresAt, DateTimeOffset LogicalExpiresAt)
{
    private readonly DateTimeOffset _createdAt;

    /// <summary>When the value was written to Redis (eager refresh measures the entry's age from it).</summary>
    public DateTimeOffset CreatedAt
    {
        get => _createdAt;
        init
        {
            _createdAt = value;
            CreatedAtUnixMs = value.ToUnixTimeMilliseconds();
        }
    }

    /// <summary><see cref="CreatedAt"/> in Unix milliseconds, computed once (a hit needs it).</summary>
    public long CreatedAtUnixMs { get; private init; }

    /// <summary>
    /// Whether the value's bytes were authenticated: decrypted with our key from Redis, or written here by an encrypting
    /// write. A read that expects encryption takes only such entries from memory; any other read takes every entry. A
    /// plain entry someone planted in Redis can reach memory through a read that does not encrypt, and must not reach
    /// an encrypting reader from there.
    /// </summary>
    public bool Authenticated { get; init; }

    /// <summary>
    /// The fingerprint of the value type the entry holds (<see cref="Envelope.TypeIdentity"/>), as the envelope
    /// records it: a reader of another type gets a miss, as it would from Redis. 0 for raw bytes (the serializer
    /// decides there) and for entries that are not values (tag tokens).
    /// </summary>
    public uint TypeFingerprint { get; init; }

    /// <summary>
    /// Whether <see cref="Value"/> is an instance of exactly the value type the entry was stored for (an immutable
    /// value whose runtime type is that type, not a subtype). A reader whose type is the instance's runtime type then
    /// reads for the stored type too, and takes the instance without the fingerprint and cast checks: in shared generic
    /// code those cost runtime helper calls, while <c>value.GetType() == typeof(T)</c> compiles to one comparison.
    /// </summary>
    public bool ExactInstance { get; init; }

    /// <summary>The entry's tags and the tokens they had when it was written; null when it has none.</summary>
    public Engine.TagStamps? Tags { get; init; }

    /// <summary>
    /// Written to this instance's memory only (the write skipped Redis): Redis has no copy to be fresher than, so the
    /// staleness bound does not apply to it (invalidations still drop it).
    /// </summary>
    public bool LocalOnly { get; init; }

    /// <summary>The sliding window in milliseconds (0: the entry does not slide).</summary>
    public long SlidingMs { get; init; }

    /// <summary>For a sliding entry, its absolute cap (Unix ms): no read extends it past this.</summary>
    public long SlidingCapUnixMs { get; init; }

    /// <summary>For a sliding entry, when its Redis TTL was last extended (Unix ms).</summary>
    public long TouchedAtUnixMs
    {
        get => Volatile.Read(ref _touchedAtUnixMs);
        init => _touchedAtUnixMs = value;
    }

    private long _touchedAtUnixMs;

    /// <summary>Records that Redis extended this very entry (its L1 expiry stays: the next read after it goes to Redis).</summary>
    public void MarkTouched(long nowUnixMs) => Volatile.Write(ref _touchedAtUnixMs, nowUnixMs);

    /// <summary>When the entry must be gone: never later than the Redis entry's expiry.</summary>
    public DateTimeOffset HardExpiresAt
    {
        get => _hardExpiresAt;
        init
        {
            _hardExpiresAt = value;
            HardExpiresAtUnixMs = value.ToUnixTimeMilliseconds();
        }
    }

    /// <summary>When the value stops being fresh (fail-safe may still serve it until <see cref="HardExpiresAt"/>).</summary>
    public DateTimeOffset LogicalExpiresAt
    {
        get => _logicalExpiresAt;
        init
        {
            _logicalExpiresAt = value;
            LogicalExpiresAtUnixMs = value.ToUnixTimeMilliseconds();
        }
    }

    // Set through the properties (so a copy made with `with` recomputes the Unix milliseconds).
    private readonly DateTimeOffset _hardExpiresAt = HardExpiresAt;
    private readonly DateTimeOffset _logicalExpiresAt = LogicalExpiresAt;

    /// <summary><see cref="HardExpiresAt"/> in Unix milliseconds, computed once.</summary>
    public long HardExpiresAtUnixMs { get; private init; } = HardExpiresAt.ToUnixTimeMilliseconds();

    /// <summary><see cref="LogicalExpiresAt"/> in Unix milliseconds, computed once.</summary>
    public long LogicalExpiresAtUnixMs { get; private init; } = LogicalExpiresAt.ToUnixTimeMilliseconds();

    /// <summary>
    /// This entry, or a copy of it that ends by <paramref name="endUnixMs"/> (both expiries): for a key whose TTL in
    /// Redis ends before the entry's own expiry says.
    /// </summary>
    public MemoryEntry EndingBy(long endUnixMs)
    {
        if (endUnixMs >= HardExpiresAtUnixMs && endUnixMs >= LogicalExpiresAtUnixMs)
        {
            return this;
        }

        var end = DateTimeOffset.FromUnixTimeMilliseconds(endUnixMs);
        return this with
        {
            HardExpiresAt = end < HardExpiresAt ? end : HardExpiresAt,
            LogicalExpiresAt = end < LogicalExpiresAt ? end : LogicalExpiresAt,
        };
    }
}
