using System;

namespace RedisCaching.Invalidation;

/// <summary>Where a pattern invalidation stands; reported during the run and once at its end.</summary>
/// <param name="KeysRemoved">Keys removed so far (what <c>UNLINK</c> reported: a key found twice counts once).</param>
/// <param name="KeysMatched">Keys <c>SCAN</c> returned so far (SCAN may return a key twice; the cache's own keys are not counted).</param>
/// <param name="Batches">Batches (SCAN calls) so far.</param>
/// <param name="ServersDone">Primaries whose scan is complete.</param>
/// <param name="Servers">Primaries to scan.</param>
/// <param name="ScanCount">The <c>COUNT</c> the next batch uses (lower than configured while the run backs off).</param>
/// <param name="Elapsed">Time since the run started.</param>
/// <param name="Throttled">Time spent waiting by the throttle.</param>
/// <param name="Completed">Whether this is the final report of a run that finished.</param>
public sealed record PatternInvalidationProgress(
    long KeysRemoved,
    long KeysMatched,
    long Batches,
    int ServersDone,
    int Servers,
    int ScanCount,
    TimeSpan Elapsed,
    TimeSpan Throttled,
    bool Completed);
