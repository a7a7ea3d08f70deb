using System;
using Microsoft.Extensions.Logging;

namespace RedisCaching.Invalidation.Internal;

/// <summary>RedisCaching.Invalidation's log messages: counts, durations and modes, never a key or a pattern (patterns hold key material such as ids).</summary>
internal static partial class Log
{
    [LoggerMessage(InvalidationEventIds.PatternInvalidated, LogLevel.Information, "Pattern invalidation removed {Removed} keys ({Matched} matched) in {Batches} batches on {Servers} primaries in {ElapsedMs} ms ({KeysPerSecond} removed/s, {ThrottledMs} ms throttled); coherence {Mode}")]
    public static partial void PatternInvalidated(ILogger logger, long removed, long matched, long batches, int servers, long elapsedMs, long keysPerSecond, long throttledMs, CacheCoherenceMode mode);

    [LoggerMessage(InvalidationEventIds.PatternInvalidationCancelled, LogLevel.Information, "Pattern invalidation cancelled after removing {Removed} keys in {Batches} batches ({ElapsedMs} ms)")]
    public static partial void PatternInvalidationCancelled(ILogger logger, long removed, long batches, long elapsedMs);

    [LoggerMessage(InvalidationEventIds.PatternInvalidationFailed, LogLevel.Warning, "Pattern invalidation failed after removing {Removed} keys in {Batches} batches: {Failure}")]
    public static partial void PatternInvalidationFailed(ILogger logger, long removed, long batches, string failure, Exception exception);

    [LoggerMessage(InvalidationEventIds.BackplaneAnnounceFailed, LogLevel.Warning, "Could not tell the other instances about {Keys} removed keys (backplane publish failed); they keep those entries in memory until Memory:MaxEntryLifetime")]
    public static partial void BackplaneAnnounceFailed(ILogger logger, int keys);

    [LoggerMessage(InvalidationEventIds.ThrottleBackedOff, LogLevel.Debug, "Pattern invalidation backs off: a batch took {RoundTripMs} ms (budget {BudgetMs} ms); COUNT is now {ScanCount}")]
    public static partial void ThrottleBackedOff(ILogger logger, double roundTripMs, double budgetMs, int scanCount);

    [LoggerMessage(InvalidationEventIds.KeySpaceInvalidated, LogLevel.Information, "Key space generation replaced (recorded: {Recorded}); entries written before are unreachable")]
    public static partial void KeySpaceInvalidated(ILogger logger, bool recorded);

    [LoggerMessage(InvalidationEventIds.EventRuleRan, LogLevel.Debug, "Event {EventName}: rule ran ({Keys} keys, {Tags} tags, {Patterns} patterns; {Removed} keys removed by pattern)")]
    public static partial void EventRuleRan(ILogger logger, string eventName, int keys, int tags, int patterns, long removed);

    [LoggerMessage(InvalidationEventIds.EventMessageRejected, LogLevel.Warning, "Events channel: message for event {EventName} refused: {Problem}")]
    public static partial void EventMessageRejected(ILogger logger, string eventName, string problem);

    [LoggerMessage(InvalidationEventIds.EventRuleFailed, LogLevel.Warning, "Event {EventName}: rule failed; what it removed until then stays removed")]
    public static partial void EventRuleFailed(ILogger logger, string eventName, Exception exception);

    [LoggerMessage(InvalidationEventIds.EventListening, LogLevel.Information, "Listening for cache events ({Events} events with rules)")]
    public static partial void EventListening(ILogger logger, int events);

    [LoggerMessage(InvalidationEventIds.EventWithoutRule, LogLevel.Debug, "Events channel: event {EventName} has no rule here")]
    public static partial void EventWithoutRule(ILogger logger, string eventName);

    [LoggerMessage(InvalidationEventIds.EventRunElsewhere, LogLevel.Debug, "Events channel: event {EventName} claimed by another instance")]
    public static partial void EventRunElsewhere(ILogger logger, string eventName);

    [LoggerMessage(InvalidationEventIds.EventListenFailed, LogLevel.Warning, "Could not subscribe to the cache events channel at start-up; events published there are not run by this instance until StartListeningAsync succeeds")]
    public static partial void EventListenFailed(ILogger logger, Exception exception);

    [LoggerMessage(InvalidationEventIds.DependencyRecordSkipped, LogLevel.Warning, "Dependency record not written: the entry is not in Redis under its plain key (hashed long key or failed write); entries that depend on it later carry only its own dependency tag")]
    public static partial void DependencyRecordSkipped(ILogger logger);

    [LoggerMessage(InvalidationEventIds.DependencyRecordFailed, LogLevel.Warning, "Dependency record could not be written; entries that depend on this entry later carry only its own dependency tag")]
    public static partial void DependencyRecordFailed(ILogger logger, Exception exception);

    [LoggerMessage(InvalidationEventIds.Warmed, LogLevel.Information, "Cache warming loaded {Loaded} keys, skipped {Skipped} already cached, {Failed} failed, in {ElapsedMs} ms")]
    public static partial void Warmed(ILogger logger, int loaded, int skipped, int failed, long elapsedMs);

    [LoggerMessage(InvalidationEventIds.WarmingCancelled, LogLevel.Information, "Cache warming cancelled after loading {Loaded} keys ({Skipped} skipped, {Failed} failed)")]
    public static partial void WarmingCancelled(ILogger logger, int loaded, int skipped, int failed);

    [LoggerMessage(InvalidationEventIds.WarmingJobFailed, LogLevel.Warning, "Cache warming job {Job} failed; the run's other jobs go on")]
    public static partial void WarmingJobFailed(ILogger logger, string job, Exception exception);

    [LoggerMessage(InvalidationEventIds.WarmingRunFinished, LogLevel.Information, "Scheduled cache warming ran {Jobs} jobs: {Loaded} keys loaded, {Skipped} skipped, {FailedKeys} failed, {FailedJobs} jobs failed, in {ElapsedMs} ms")]
    public static partial void WarmingRunFinished(ILogger logger, int jobs, int loaded, int skipped, int failedKeys, int failedJobs, long elapsedMs);
}
