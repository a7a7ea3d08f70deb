using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;

namespace RedisCaching.Invalidation;

/// <summary>
/// Runs the event rules registered with <c>MapEvent</c> on the main cache: raised from app code
/// (<see cref="RaiseAsync"/>), or received on the Redis pub/sub channel <see cref="Channel"/>, where any program can
/// publish <c>{"event":"requirement.updated","args":{"id":"42"}}</c>.
/// </summary>
/// <remarks>
/// A rule runs once, on one instance: Redis removal need only happen once, and every instance's in-process tier
/// follows removals in Redis (tracking or backplane). So <see cref="RaiseAsync"/> runs the rule here and publishes
/// nothing, and of the instances that receive a channel message, the first to claim it in Redis runs it.
/// </remarks>
public interface ICacheEventPublisher
{
    /// <summary>The pub/sub channel this cache listens on: <c>{key prefix}!events:v1</c> (for example <c>rc:prod:!events:v1</c>).</summary>
    string Channel { get; }

    /// <summary>Messages received on <see cref="Channel"/> (valid or not, whoever ran them).</summary>
    long MessagesReceived { get; }

    /// <summary>Messages refused: malformed JSON, no or a bad event name, a missing or invalid argument (each logged, without its contents).</summary>
    long MessagesRejected { get; }

    /// <summary>Messages whose rule ran on this instance (the others were for events with no rule here, or claimed by another instance).</summary>
    long MessagesRun { get; }

    /// <summary>Runs the rules of <paramref name="eventName"/> here: their keys, then tags, then patterns.</summary>
    /// <param name="eventName">The event, as registered with <c>MapEvent</c>.</param>
    /// <param name="arguments">The event's arguments; each argument a rule declares must be present (others are ignored).</param>
    /// <param name="cancellationToken">Cancels the wait (and a pattern run between batches).</param>
    /// <returns>Whether a rule exists for the event (an event without one is not an error: it does nothing).</returns>
    /// <exception cref="ArgumentException">A declared argument is missing, empty, or holds whitespace, a control character or <c>!</c>.</exception>
    /// <exception cref="CacheKeyException">An argument makes a key or tag the cache refuses (e.g. a <c>*</c> in a key).</exception>
    /// <exception cref="CacheUnavailableException">Redis could not record a removal (what was removed stays removed; raising again is safe).</exception>
    /// <exception cref="PatternInvalidationException">A pattern run failed part-way.</exception>
    Task<bool> RaiseAsync(string eventName, IReadOnlyDictionary<string, string>? arguments = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// Subscribes to <see cref="Channel"/> (once; later calls return at once). With the generic host this happens at
    /// start-up by itself when a rule is registered (<c>ValidateOnStart</c>); without one, call it.
    /// </summary>
    /// <param name="cancellationToken">Cancels the wait for the connection.</param>
    /// <returns>A task that completes once subscribed.</returns>
    Task StartListeningAsync(CancellationToken cancellationToken = default);
}
