using System;
using System.Collections.Generic;
using System.Security.Cryptography;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace RedisCaching.Invalidation.Internal;

/// <summary><see cref="ICacheEventPublisher"/> over the main cache and its invalidator.</summary>
internal sealed class CacheEventPublisher : ICacheEventPublisher, IAsyncDisposable, IDisposable
{
    /// <summary>
    /// How long a channel message's claim lives: every instance receives a message within milliseconds, so this only
    /// has to outlast the slowest delivery; an identical message published again within it is taken as the same one
    /// (a publisher that repeats an event on purpose adds a distinct member, such as an <c>id</c>).
    /// </summary>
    internal static readonly TimeSpan ClaimWindow = TimeSpan.FromSeconds(2);

    private readonly ICache _cache;
    private readonly ICacheKeySpace _keySpace;
    private readonly ICacheInvalidator _invalidator;
    private readonly ICacheDependencies _dependencies;
    private readonly Dictionary<string, List<CacheEventRule>> _rules = new(StringComparer.Ordinal);
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _subscribeGate = new(1, 1);
    private ChannelMessageQueue? _queue;
    private long _received;
    private long _rejected;
    private long _run;

    public CacheEventPublisher(ICache cache, ICacheInvalidator invalidator, ICacheDependencies dependencies, IEnumerable<CacheEventRule> rules, ILogger logger)
    {
        _cache = cache;
        _keySpace = cache as ICacheKeySpace
            ?? throw new InvalidOperationException($"The cache ({cache.GetType().Name}) does not expose its key space (ICacheKeySpace): event rules work on caches registered by AddRedisCaching.");
        _invalidator = invalidator;
        _dependencies = dependencies;
        _logger = logger;
        foreach (var rule in rules)
        {
            if (!_rules.TryGetValue(rule.EventName, out var list))
            {
                _rules[rule.EventName] = list = [];
            }

            list.Add(rule);
        }

        Channel = _keySpace.KeyPrefix + ICacheKeySpace.InternalKeyMarker + "events:v1";
    }

    public string Channel { get; }

    public long MessagesReceived => Interlocked.Read(ref _received);

    public long MessagesRejected => Interlocked.Read(ref _rejected);

    public long MessagesRun => Interlocked.Read(ref _run);

    internal bool HasRules => _rules.Count > 0;

    public async Task<bool> RaiseAsync(string eventName, IReadOnlyDictionary<string, string>? arguments = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(eventName);
        if (!_rules.TryGetValue(eventName, out var rules))
        {
            return false;
        }

        var empty = arguments ?? new Dictionary<string, string>();
        foreach (var rule in rules)
        {
            if (CheckArguments(rule, empty) is { } problem)
            {
                throw new ArgumentException($"Event '{eventName}': {problem}.", nameof(arguments));
            }
        }

        foreach (var rule in rules)
        {
            await RunAsync(rule, empty, cancellationToken).ConfigureAwait(false);
        }

        return true;
    }

    public async Task StartListeningAsync(CancellationToken cancellationToken = default)
    {
        if (Volatile.Read(ref _queue) is not null)
        {
            return;
        }

        await _subscribeGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_queue is null)
            {
                var multiplexer = await _keySpace.Connection.GetMultiplexerAsync(cancellationToken).ConfigureAwait(false);
                var queue = await multiplexer.GetSubscriber().SubscribeAsync(RedisChannel.Literal(Channel)).ConfigureAwait(false);

                // One message at a time: a rule with patterns is a throttled SCAN, and two at once would only compete.
                queue.OnMessage(OnMessageAsync);
                Volatile.Write(ref _queue, queue);
                Log.EventListening(_logger, _rules.Count);
            }
        }
        finally
        {
            _subscribeGate.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _queue, null) is { } queue)
        {
            try
            {
                await queue.UnsubscribeAsync().ConfigureAwait(false);
            }
            catch (RedisException)
            {
                // Disposing while Redis is gone: the subscription goes with the connection.
            }
        }

        _subscribeGate.Dispose();
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _queue, null) is { } queue)
        {
            try
            {
                queue.Unsubscribe();
            }
            catch (RedisException)
            {
                // As in DisposeAsync.
            }
        }

        _subscribeGate.Dispose();
    }

    private async Task OnMessageAsync(ChannelMessage channelMessage)
    {
        Interlocked.Increment(ref _received);
        byte[]? payload = channelMessage.Message;
        var message = CacheEventMessage.Parse(payload ?? []);
        if (!message.IsValid)
        {
            Reject(message.EventName, message.Problem!);
            return;
        }

        var eventName = message.EventName!;
        if (!_rules.TryGetValue(eventName, out var rules))
        {
            Log.EventWithoutRule(_logger, eventName);
            return;
        }

        var arguments = message.Arguments ?? new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var rule in rules)
        {
            if (CheckArguments(rule, arguments) is { } problem)
            {
                Reject(eventName, problem);
                return;
            }
        }

        try
        {
            if (!await ClaimAsync(payload!).ConfigureAwait(false))
            {
                Log.EventRunElsewhere(_logger, eventName);
                return;
            }

            foreach (var rule in rules)
            {
                await RunAsync(rule, arguments, CancellationToken.None).ConfigureAwait(false);
            }

            Interlocked.Increment(ref _run);
        }
        catch (CacheKeyException)
        {
            // Checked before anything ran: a rule's keys and tags are removed before its patterns, one key at a time.
            Reject(eventName, "an argument makes a key or tag the cache refuses (Keys:AllowedPunctuation)");
        }
        catch (Exception e) when (e is RedisCachingException or RedisException or ArgumentException or TimeoutException)
        {
            Log.EventRuleFailed(_logger, eventName, e);
        }
    }

    /// <summary>
    /// Every instance receives the message; the first to create its claim key (<c>SET NX</c>, named by the message's
    /// hash) runs it. A claim that cannot be written means Redis is unreachable, so the rule could not run anyway.
    /// </summary>
    private async Task<bool> ClaimAsync(byte[] payload)
    {
        var hash = Convert.ToHexStringLower(SHA256.HashData(payload).AsSpan(0, 16));
        var key = _keySpace.KeyPrefix + ICacheKeySpace.InternalKeyMarker + "event:" + hash;
        var multiplexer = await _keySpace.Connection.GetMultiplexerAsync().ConfigureAwait(false);
        return await multiplexer.GetDatabase().StringSetAsync(key, 1, ClaimWindow, When.NotExists).ConfigureAwait(false);
    }

    private async Task RunAsync(CacheEventRule rule, IReadOnlyDictionary<string, string> arguments, CancellationToken cancellationToken)
    {
        var failed = 0;
        foreach (var key in rule.Keys)
        {
            // With what depends on it (ICacheDependencies): one more tag token replaced.
            failed += await _dependencies.InvalidateAsync(key.Render(arguments, quoteForGlob: false), cancellationToken).ConfigureAwait(false) ? 0 : 1;
        }

        foreach (var tag in rule.Tags)
        {
            failed += await _cache.RemoveByTagAsync(tag.Render(arguments, quoteForGlob: false), cancellationToken).ConfigureAwait(false) ? 0 : 1;
        }

        foreach (var tag in rule.StaleTags)
        {
            failed += await _cache.MarkStaleByTagAsync(tag.Render(arguments, quoteForGlob: false), cancellationToken).ConfigureAwait(false) ? 0 : 1;
        }

        long removed = 0;
        foreach (var pattern in rule.Patterns)
        {
            removed += await _invalidator.InvalidateByPatternAsync(pattern.Render(arguments, quoteForGlob: true), cancellationToken: cancellationToken).ConfigureAwait(false);
        }

        if (failed > 0)
        {
            throw new CacheUnavailableException($"Event '{rule.EventName}': {failed} key or tag removals could not be recorded in Redis; raise the event again.");
        }

        Log.EventRuleRan(_logger, rule.EventName, rule.Keys.Count, rule.Tags.Count + rule.StaleTags.Count, rule.Patterns.Count, removed);
    }

    private void Reject(string? eventName, string problem)
    {
        Interlocked.Increment(ref _rejected);
        Log.EventMessageRejected(_logger, eventName ?? "(unreadable)", problem);
    }

    /// <summary>Names the first declared argument that is missing or cannot be part of a key; never quotes its value.</summary>
    private static string? CheckArguments(CacheEventRule rule, IReadOnlyDictionary<string, string> arguments)
    {
        foreach (var name in rule.Arguments)
        {
            if (!arguments.TryGetValue(name, out var value))
            {
                return $"the argument '{name}' is missing";
            }

            if (!CacheEventNames.IsValidArgumentValue(value))
            {
                return $"the argument '{name}' is empty, longer than {CacheEventNames.MaxValueLength} characters, or holds whitespace, a control character or '!'";
            }
        }

        return null;
    }
}
