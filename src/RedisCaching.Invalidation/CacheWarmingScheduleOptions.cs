using System;

namespace RedisCaching.Invalidation;

/// <summary>
/// When the warming jobs registered with <c>AddWarmingJob</c> run (once at start-up, then every <see cref="Interval"/>),
/// and where their progress and reports go. Set with <c>AddWarming(o =&gt; ...)</c>; validated at start-up.
/// </summary>
public sealed class CacheWarmingScheduleOptions
{
    /// <summary>
    /// The time between two runs, counted from start-up (not from the end of a run); <see langword="null"/> runs the
    /// jobs at start-up only. Runs never overlap: a tick that passes during a run starts the next one right after it.
    /// </summary>
    /// <value>The default value is <see langword="null"/> (start-up only).</value>
    public TimeSpan? Interval { get; set; }

    /// <summary>Told each job's progress (job name, progress), on the run's threads: keep it quick and thread-safe.</summary>
    /// <value>The default value is <see langword="null"/>.</value>
    public Action<string, CacheWarmingProgress>? OnProgress { get; set; }

    /// <summary>
    /// Told each job's report (job name, report) when the job finishes: the keys that failed and their errors are
    /// only here, since keys are never logged. A job whose key query throws has no report; it is logged (event 3017).
    /// </summary>
    /// <value>The default value is <see langword="null"/>.</value>
    public Action<string, CacheWarmingReport>? OnReport { get; set; }

    /// <summary>Checks the values; the message names the setting at fault.</summary>
    /// <exception cref="ArgumentException">A value is out of range.</exception>
    public void Validate()
    {
        if (Interval is { } interval && interval <= TimeSpan.Zero)
        {
            throw new ArgumentException("CacheWarmingScheduleOptions.Interval must be positive, or null to warm at start-up only.", nameof(Interval));
        }
    }
}
