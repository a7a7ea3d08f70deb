using System;
using System.Diagnostics;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using NUnit.Framework;
using RedisCaching.Internal.Engine;

namespace RedisCaching.Core.Tests.Cache;

/// <summary>
/// The budget of a Redis call without Redis: <see cref="BudgetedCall{TResult}"/> timed out by the shared
/// <see cref="BudgetSweeper"/> (one timer for every call in flight, stopped while idle).
/// </summary>
public class BudgetSweeperTests
{
    private static readonly TimeSpan Budget = TimeSpan.FromMilliseconds(100);

    /// <summary>Scheduling on a loaded 2-core box; the sweep period itself is 2 ms.</summary>
    private static readonly TimeSpan Slack = TimeSpan.FromMilliseconds(900);

    [Test]
    public async Task A_call_that_never_completes_is_released_after_its_budget_never_before()
    {
        var never = new TaskCompletionSource<int>();
        var elapsed = await TimeOutAsync(never.Task);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(elapsed, Is.GreaterThanOrEqualTo(Budget));
            Assert.That(elapsed, Is.LessThan(Budget + Slack));
        }

        never.SetResult(1);
    }

    [Test]
    public async Task Calls_after_the_sweeper_went_idle_are_timed_out_too()
    {
        await TimeOutAsync(new TaskCompletionSource<int>().Task);

        // The sweeper stops after a second without calls in flight (other tests may keep it busy meanwhile); the
        // next call must start it again.
        await Task.Delay(TimeSpan.FromSeconds(1.5));
        var elapsed = await TimeOutAsync(new TaskCompletionSource<int>().Task);
        Assert.That(elapsed, Is.LessThan(Budget + Slack));
    }

    [Test]
    public async Task More_calls_in_flight_than_the_pool_holds_all_time_out_and_late_completions_reach_no_later_call()
    {
        var sources = Enumerable.Range(0, 200).Select(_ => new TaskCompletionSource<int>()).ToArray();
        var stopwatch = Stopwatch.StartNew();
        var waits = sources.Select(s => BudgetedCall<int>.WaitAsync(s.Task, Budget, TimeProvider.System, CancellationToken.None).AsTask()).ToArray();
        foreach (var wait in waits)
        {
            Assert.That(async () => await wait, Throws.TypeOf<TimeoutException>());
        }

        Assert.That(stopwatch.Elapsed, Is.LessThan(Budget + Slack));

        // The commands complete late (their objects go back to the pool now); calls that follow get their own results.
        foreach (var source in sources)
        {
            source.SetResult(-1);
        }

        var results = await Task.WhenAll(Enumerable.Range(0, 200).Select(async i =>
        {
            var source = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
            var wait = BudgetedCall<int>.WaitAsync(source.Task, TimeSpan.FromSeconds(30), TimeProvider.System, CancellationToken.None);
            await Task.Yield();
            source.SetResult(i);
            return await wait;
        }));
        Assert.That(results, Is.EqualTo(Enumerable.Range(0, 200).ToArray()));
    }

    [Test]
    public async Task Cancellation_releases_the_caller_before_the_budget()
    {
        var never = new TaskCompletionSource<int>();
        using var cancellation = new CancellationTokenSource(TimeSpan.FromMilliseconds(20));
        var wait = BudgetedCall<int>.WaitAsync(never.Task, TimeSpan.FromSeconds(30), TimeProvider.System, cancellation.Token);
        Assert.That(async () => await wait, Throws.InstanceOf<OperationCanceledException>());
        never.SetResult(1);
    }

    private static async Task<TimeSpan> TimeOutAsync(Task<int> task)
    {
        var stopwatch = Stopwatch.StartNew();
        try
        {
            await BudgetedCall<int>.WaitAsync(task, Budget, TimeProvider.System, CancellationToken.None);
            Assert.Fail("The call was not timed out.");
        }
        catch (TimeoutException)
        {
        }

        return stopwatch.Elapsed;
    }
}
