using System;
using System.Threading.Tasks;

namespace RedisCaching.Core.Tests.Cache;

/// <summary>Cache-aside's fill race, staged: a get-or-set whose factory is held until another write has landed.</summary>
internal static class RacingFill
{
    /// <summary>What the held factory returns: a value read from the source before the other write.</summary>
    public const string OldValue = "old, read from the source before the write";

    /// <summary>
    /// Starts <paramref name="filler"/>'s get-or-set of <paramref name="key"/>, runs <paramref name="write"/> once its
    /// factory has started, then lets the factory return <see cref="OldValue"/>; returns what the get-or-set returned.
    /// </summary>
    public static async Task<CacheResult<string>> FillAroundAsync(ICache filler, string key, Func<Task> write, CacheEntryOptions? options = null)
    {
        var factoryStarted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var fill = filler.GetOrSetAsync(
            key,
            (factoryStarted, release),
            static async (s, _, _) =>
            {
                s.factoryStarted.TrySetResult();
                await s.release.Task;
                return OldValue;
            },
            options).AsTask();
        await factoryStarted.Task.WaitAsync(TimeSpan.FromSeconds(5));
        await write();
        release.TrySetResult();
        return await fill.WaitAsync(TimeSpan.FromSeconds(5));
    }
}
