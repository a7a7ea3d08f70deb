namespace RedisCaching.Internal.Memory;

/// <summary>Taken before a Redis round trip; compared at <see cref="IMemoryTier.CompleteFill"/> to detect an invalidation in between.</summary>
/// <param name="Generation">The tier-wide generation when it was taken (bumped by every flush and by every (re)start of the invalidation stream).</param>
/// <param name="KeyVersion">
/// The tier-wide invalidation sequence when it was taken; the fill is refused if the key's version (kept in fixed
/// hashed stripes, so keys not in L1 are covered too) rose above it.
/// </param>
internal readonly record struct FillTicket(long Generation, long KeyVersion);
