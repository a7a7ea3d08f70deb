using System.Threading;
using System.Threading.Tasks;

namespace RedisCaching.Internal.Engine;

/// <summary>
/// Observes tasks whose outcome nobody awaits (a command the caller gave up on, a factory left to finish, a PTTL
/// whose read failed): a failure among them must not reach <c>TaskScheduler.UnobservedTaskException</c>.
/// </summary>
internal static class TaskFailures
{
    /// <summary>Observes <paramref name="task"/>'s failure now if it has completed, else when it does (no allocation for a success).</summary>
    public static void Observe(Task? task)
    {
        if (task is null || task.IsCompletedSuccessfully)
        {
            return;
        }

        if (task.IsCompleted)
        {
            _ = task.Exception;
            return;
        }

        _ = task.ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }
}
