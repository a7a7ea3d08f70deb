using System;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.Caching.Hybrid;
using Microsoft.Extensions.DependencyInjection;
using NUnit.Framework;
using RedisCaching.Core.Tests.Connections;
using static RedisCaching.Core.Tests.Adapters.AdapterTestSupport;

namespace RedisCaching.Core.Tests.Adapters;

/// <summary>
/// HybridCache's cancellation contract: a caller's token cancels that caller's wait; the factory's token is cancelled
/// only once every caller waiting for it has cancelled.
/// </summary>
public class HybridCacheCancellationTests : StandaloneServerFixture
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);
    private ServiceProvider _provider = null!;
    private HybridCache _cache = null!;

    [SetUp]
    public async Task Start()
    {
        _provider = await BuildAsync(Server, NewPrefix());
        _cache = _provider.GetRequiredService<HybridCache>();
    }

    [TearDown]
    public async Task Stop() => await _provider.DisposeAsync();

    [Test]
    public async Task One_caller_cancelling_leaves_the_factory_running_for_the_others()
    {
        var factory = new GatedFactory();
        using var first = new CancellationTokenSource();
        using var second = new CancellationTokenSource();
        var firstCall = factory.CallAsync(_cache, "k", first.Token);
        await factory.Started.WaitAsync(Patience);
        var secondCall = factory.CallAsync(_cache, "k", second.Token);

        await first.CancelAsync();
        Assert.CatchAsync<OperationCanceledException>(async () => await firstCall);
        Assert.That(factory.Token.IsCancellationRequested, Is.False);
        factory.Release("value");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(await secondCall.WaitAsync(Patience), Is.EqualTo("value"));
            Assert.That(factory.Runs, Is.EqualTo(1));
        }
    }

    [Test]
    public async Task The_factory_is_cancelled_once_every_caller_has_cancelled()
    {
        var factory = new GatedFactory();
        using var first = new CancellationTokenSource();
        using var second = new CancellationTokenSource();
        var firstCall = factory.CallAsync(_cache, "k", first.Token);
        await factory.Started.WaitAsync(Patience);
        var secondCall = factory.CallAsync(_cache, "k", second.Token);

        await first.CancelAsync();
        Assert.CatchAsync<OperationCanceledException>(async () => await firstCall);
        await second.CancelAsync();
        Assert.CatchAsync<OperationCanceledException>(async () => await secondCall);
        await factory.Cancelled.WaitAsync(Patience);
        Assert.That(factory.Token.IsCancellationRequested, Is.True);
    }

    [Test]
    public async Task A_caller_that_cannot_cancel_keeps_the_factory_running()
    {
        var factory = new GatedFactory();
        using var cancellable = new CancellationTokenSource();
        var patientCall = factory.CallAsync(_cache, "k", CancellationToken.None);
        await factory.Started.WaitAsync(Patience);
        var impatientCall = factory.CallAsync(_cache, "k", cancellable.Token);

        await cancellable.CancelAsync();
        Assert.CatchAsync<OperationCanceledException>(async () => await impatientCall);
        await Task.Delay(300);
        Assert.That(factory.Token.IsCancellationRequested, Is.False);
        factory.Release("value");
        Assert.That(await patientCall.WaitAsync(Patience), Is.EqualTo("value"));
    }

    [Test]
    public void An_already_cancelled_token_throws_before_the_factory_runs()
    {
        var factory = new GatedFactory();
        Assert.CatchAsync<OperationCanceledException>(async () => await factory.CallAsync(_cache, "k", new CancellationToken(canceled: true)));
        Assert.That(factory.Runs, Is.Zero);
    }

    [Test]
    public async Task A_caller_that_joins_an_abandoned_factory_starts_the_work_again()
    {
        // The first run outlives its cancellation until we let it end, so a new caller joins it in between.
        var factory = new GatedFactory { HoldAfterCancellation = true };
        using var first = new CancellationTokenSource();
        var firstCall = factory.CallAsync(_cache, "k", first.Token);
        await factory.Started.WaitAsync(Patience);
        await first.CancelAsync();
        Assert.CatchAsync<OperationCanceledException>(async () => await firstCall);
        await factory.Cancelled.WaitAsync(Patience);

        using var late = new CancellationTokenSource();
        var lateCall = factory.CallAsync(_cache, "k", late.Token);
        factory.Release("second run's value");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(await lateCall.WaitAsync(Patience), Is.EqualTo("second run's value"));
            Assert.That(factory.Runs, Is.EqualTo(2));
        }
    }

    /// <summary>
    /// A factory whose first run waits until released (or cancelled) and remembers its token; later runs return at once.
    /// </summary>
    private sealed class GatedFactory
    {
        private readonly TaskCompletionSource _started = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource _cancelled = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource<string> _release = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _runs;

        public bool HoldAfterCancellation { get; init; }

        public Task Started => _started.Task;

        public Task Cancelled => _cancelled.Task;

        public CancellationToken Token { get; private set; }

        public int Runs => Volatile.Read(ref _runs);

        public void Release(string value) => _release.TrySetResult(value);

        public Task<string> CallAsync(HybridCache cache, string key, CancellationToken cancellationToken) =>
            cache.GetOrCreateAsync(key, this, static (self, token) => self.RunAsync(token), cancellationToken: cancellationToken).AsTask();

        private async ValueTask<string> RunAsync(CancellationToken token)
        {
            if (Interlocked.Increment(ref _runs) > 1)
            {
                return await _release.Task;
            }

            Token = token;
            // Not disposed with the run: callbacks run last-registered first, so the WaitAsync below would end the run (and
            // a 'using' would remove this callback) before it ran.
            token.Register(() => _cancelled.TrySetResult());
            _started.TrySetResult();
            if (!HoldAfterCancellation)
            {
                return await _release.Task.WaitAsync(token);
            }

            await _cancelled.Task;
            await _release.Task;
            token.ThrowIfCancellationRequested();
            return "first run's value";
        }
    }
}
