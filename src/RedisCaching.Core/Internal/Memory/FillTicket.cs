namespace RedisCaching.Internal.Memory;

/// <summary>Taken before a Redis round trip; compared at <see cref="IMemoryTier.CompleteFill"/> to detect an invalidation in between.</summary>
/// <param name="Generation">The tier-wide generation (bumped by every flush) and per-key state at the time it was taken.</param>
/// <param name="KeyVersion">The key's invalidation counter when the ticket was taken.</param>
internal readonly record struct FillTicket(long Generation, long KeyVersion);
