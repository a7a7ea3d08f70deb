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

    /// <summary>An event rule ran: the event's name, and how many keys, tags and patterns it invalidated (Debug).</summary>
    public const int EventRuleRan = 3006;

    /// <summary>A message on the events channel was refused (malformed, bad event name or argument); the reason, never the contents.</summary>
    public const int EventMessageRejected = 3007;

    /// <summary>An event rule received on the channel failed (Redis error); what it removed until then stays removed.</summary>
    public const int EventRuleFailed = 3008;

    /// <summary>The events channel was subscribed.</summary>
    public const int EventListening = 3009;

    /// <summary>A message on the events channel named an event with no rule here (Debug).</summary>
    public const int EventWithoutRule = 3010;

    /// <summary>A message on the events channel was claimed by another instance, which runs it (Debug).</summary>
    public const int EventRunElsewhere = 3011;

    /// <summary>Subscribing to the events channel at start-up failed.</summary>
    public const int EventListenFailed = 3012;

    /// <summary>An entry's dependency record was not written: the entry is not in Redis under its plain key (a hashed long key, a failed write); entries that depend on it later carry only its own <c>dep:</c> tag.</summary>
    public const int DependencyRecordSkipped = 3013;

    /// <summary>An entry's dependency record could not be written (Redis error); entries that depend on it later carry only its own <c>dep:</c> tag.</summary>
    public const int DependencyRecordFailed = 3014;

    /// <summary>A warming run finished: keys loaded, skipped and failed, duration.</summary>
    public const int Warmed = 3015;

    /// <summary>A warming run was cancelled.</summary>
    public const int WarmingCancelled = 3016;

    /// <summary>A scheduled warming job failed as a whole (its key query or report callback threw); the other jobs of the run went on.</summary>
    public const int WarmingJobFailed = 3017;

    /// <summary>A scheduled warming run (every registered job) finished: jobs, keys loaded, skipped and failed, jobs failed, duration.</summary>
    public const int WarmingRunFinished = 3018;
}
