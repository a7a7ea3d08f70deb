namespace RedisCaching.Invalidation.Internal;

/// <summary>
/// An options type that exists only to be validated once at start-up (<c>ValidateOnStart</c>): its validator starts
/// the events channel subscription, so an app on the generic host needs no hosted service (and this package no
/// dependency on Hosting).
/// </summary>
internal sealed class CacheEventListening
{
}
