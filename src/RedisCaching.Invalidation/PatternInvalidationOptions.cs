using System;

namespace RedisCaching.Invalidation;

/// <summary>
/// How <see cref="ICacheInvalidator.InvalidateByPatternAsync"/> walks Redis: batch size and throttling. The
/// registered defaults come from <c>AddInvalidation(o => …)</c>; a call may pass its own.
/// </summary>
/// <remarks>
/// Each batch is one <c>SCAN cursor MATCH … COUNT n</c> pipelined with the <c>UNLINK</c> of the previous batch's
/// matches, so Redis never runs more than one batch of ours at a time and another client waits at most one batch
/// behind us. Throttling has three parts, applied together: <see cref="LatencyBudget"/> (adaptive, on by default),
/// <see cref="MaxScannedKeysPerSecond"/> (a fixed rate) and <see cref="PauseBetweenBatches"/> (a fixed gap).
/// </remarks>
public sealed class PatternInvalidationOptions
{
    /// <summary>The <c>COUNT</c> hint of each <c>SCAN</c>: roughly how many keys Redis examines per batch.</summary>
    /// <value>The default value is 1000.</value>
    public int ScanCount { get; set; } = 1000;

    /// <summary>
    /// The adaptive throttle: a batch whose round trip (SCAN plus UNLINK, measured here) takes longer means Redis is
    /// busy (or our batches are too big for it), and the run backs off: the next batch waits as long as the slow one
    /// took (so we hold Redis at most half the time), and <c>COUNT</c> halves, down to
    /// <see cref="MinScanCount"/>; once round trips are back under half the budget, <c>COUNT</c> doubles again, up to
    /// <see cref="ScanCount"/>. <see cref="TimeSpan.Zero"/> turns it off.
    /// </summary>
    /// <value>The default value is 5 ms.</value>
    public TimeSpan LatencyBudget { get; set; } = TimeSpan.FromMilliseconds(5);

    /// <summary>The smallest <c>COUNT</c> the adaptive throttle goes down to (never above <see cref="ScanCount"/>).</summary>
    /// <value>The default value is 50.</value>
    public int MinScanCount { get; set; } = 50;

    /// <summary>
    /// A fixed rate cap: at most this many keys examined per second (the sum of the batches' <c>COUNT</c>, so with
    /// 10% of keys matching, about a tenth of it removed per second); <see langword="null"/> for none.
    /// </summary>
    /// <value>The default value is <see langword="null"/>.</value>
    public int? MaxScannedKeysPerSecond { get; set; }

    /// <summary>A fixed gap after every batch, for a duty cycle of your choice.</summary>
    /// <value>The default value is <see cref="TimeSpan.Zero"/>.</value>
    public TimeSpan PauseBetweenBatches { get; set; }

    /// <summary>The least time between two progress reports (the last one is always sent).</summary>
    /// <value>The default value is 100 ms.</value>
    public TimeSpan ProgressInterval { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>Checks the values; the message names the setting at fault.</summary>
    /// <exception cref="ArgumentException">A value is out of range.</exception>
    public void Validate()
    {
        if (ScanCount is < 1 or > 100_000)
        {
            throw new ArgumentException("PatternInvalidationOptions.ScanCount must be between 1 and 100000.", nameof(ScanCount));
        }

        if (MinScanCount < 1)
        {
            throw new ArgumentException("PatternInvalidationOptions.MinScanCount must be at least 1.", nameof(MinScanCount));
        }

        if (LatencyBudget < TimeSpan.Zero || PauseBetweenBatches < TimeSpan.Zero || ProgressInterval < TimeSpan.Zero)
        {
            throw new ArgumentException("PatternInvalidationOptions.LatencyBudget, PauseBetweenBatches and ProgressInterval must not be negative.", nameof(LatencyBudget));
        }

        if (MaxScannedKeysPerSecond is < 1)
        {
            throw new ArgumentException("PatternInvalidationOptions.MaxScannedKeysPerSecond must be positive, or null for no cap.", nameof(MaxScannedKeysPerSecond));
        }
    }

    internal PatternInvalidationOptions Clone() => (PatternInvalidationOptions)MemberwiseClone();
}
