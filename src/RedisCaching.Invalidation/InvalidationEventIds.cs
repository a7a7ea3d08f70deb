namespace RedisCaching.Invalidation;

/// <summary>Event ids of RedisCaching.Invalidation's log messages (3000-3099). Messages carry counts and durations, never a key or a pattern.</summary>
public static class InvalidationEventIds
{
    /// <summary>A pattern invalidation finished: keys removed, batches, duration.</summary>
    public const int PatternInvalidated = 3000;

    /// <summary>A pattern invalidation was cancelled; what it removed until then stays removed.</summary>
    public const int PatternInvalidationCancelled = 3001;

    /// <summary>A pattern invalidation failed (Redis error or timeout); what it removed until then stays removed.</summary>
    public const int PatternInvalidationFailed = 3002;

    /// <summary>The in-process tiers of other instances could not be told about a batch (backplane publish failed); they keep those entries until their memory lifetime bound.</summary>
    public const int BackplaneAnnounceFailed = 3003;

    /// <summary>The adaptive throttle backed off: a batch's round trip exceeded the latency budget (Debug).</summary>
    public const int ThrottleBackedOff = 3004;

    /// <summary>The key space's generation was replaced: every entry written before is unreachable.</summary>
    public const int KeySpaceInvalidated = 3005;
}
