using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using StackExchange.Redis;

namespace RedisCaching.Internal.Memory;

/// <summary>
/// The fallback where the server refuses CLIENT TRACKING: our own writes publish their keys, other instances drop
/// them. Writes by other programs are not seen (the Backplane mode's documentation says so).
/// Message format v1 (UTF-8 text): <c>v1|&lt;instance id, 32 hex digits&gt;|&lt;full Redis key&gt;</c>; the key is
/// everything after the second <c>|</c>, so it may contain <c>|</c>. Many keys in one message (bulk removals, see
/// <see cref="AfterForeignRemovalAsync(IReadOnlyList{string}, IDatabaseAsync)"/>): <c>v1m|&lt;instance id&gt;|</c> then, per key, its length in characters
/// (decimal), <c>:</c> and the key, so keys may contain any character. Anything else is ignored (instances older than
/// the many-key message ignore it too).
/// </summary>
internal sealed partial class CoherentMemoryTier
{
    private const string BackplaneVersion = "v1|";
    private const string BackplaneManyVersion = "v1m|";
    private readonly RedisChannel _backplaneChannel;
    private volatile bool _backplaneActive;
    private bool _backplaneSubscribed;

    /// <summary>Whether this tier keeps coherence with the backplane (set once the server refused tracking; stays set while the tier is down).</summary>
    public bool UsesBackplane => _backplaneActive;

    /// <summary>As <see cref="AfterOwnWriteAsync(string, IDatabaseAsync)"/> through this tier's own connection (a tier used on its own, as in its tests).</summary>
    public ValueTask AfterOwnWriteAsync(string redisKey) =>
        _backplaneActive && _multiplexer is { } multiplexer ? AfterOwnWriteAsync(redisKey, multiplexer.GetDatabase()) : ValueTask.CompletedTask;

    public ValueTask AfterOwnWriteAsync(string redisKey, IDatabaseAsync via)
    {
        ArgumentNullException.ThrowIfNull(redisKey);
        ArgumentNullException.ThrowIfNull(via);
        if (!_backplaneActive)
        {
            // Tracking: Redis tells every other client; NOLOOP keeps it from telling us.
            return ValueTask.CompletedTask;
        }

        // A raw PUBLISH on the connection the write took, so it reaches the node that took the write (the new primary
        // after a failover, even while this tier still follows it) and never carries the connection's channel prefix.
        var message = BackplaneVersion + InstanceId + "|" + redisKey;
        Interlocked.Increment(ref _invalidationsSent);
        return new ValueTask(via.ExecuteAsync("PUBLISH", (string)_backplaneChannel!, message));
    }

    /// <summary>As <see cref="AfterForeignRemovalAsync(IReadOnlyList{string}, IDatabaseAsync)"/> through this tier's own connection (a tier used on its own, as in its tests).</summary>
    public ValueTask AfterForeignRemovalAsync(IReadOnlyList<string> redisKeys) =>
        _multiplexer is { } multiplexer ? AfterForeignRemovalAsync(redisKeys, multiplexer.GetDatabase()) : AfterForeignRemovalAsync(redisKeys, null);

    public ValueTask AfterForeignRemovalAsync(IReadOnlyList<string> redisKeys, IDatabaseAsync? via)
    {
        ArgumentNullException.ThrowIfNull(redisKeys);
        foreach (var redisKey in redisKeys)
        {
            Drop(redisKey);
        }

        if (!_backplaneActive || via is null || redisKeys.Count == 0)
        {
            // Tracking: Redis tells every instance (this one too: the change came from a connection without NOLOOP).
            return ValueTask.CompletedTask;
        }

        var message = new StringBuilder(BackplaneManyVersion).Append(InstanceId).Append('|');
        foreach (var redisKey in redisKeys)
        {
            message.Append(redisKey.Length.ToString(CultureInfo.InvariantCulture)).Append(':').Append(redisKey);
        }

        // As for our own writes: on the connection the removal took, raw, also while this tier is down.
        Interlocked.Increment(ref _invalidationsSent);
        return new ValueTask(via.ExecuteAsync("PUBLISH", (string)_backplaneChannel!, message.ToString()));
    }

    private async Task EnableBackplaneAsync()
    {
        if (!_backplaneSubscribed)
        {
            // A queue drained by the reads, as tracking's (CoherentMemoryTier.Inbox.cs): with a handler, a message the
            // lease's ping already vouched for could still wait in the thread pool's queue while hits served the
            // value it invalidates. Added to the inboxes, not in place of them: a tracking queue left from before the
            // fallback is harmless.
            var inbox = await _multiplexer!.GetSubscriber().SubscribeAsync(_backplaneChannel).ConfigureAwait(false);
            DrainWhenNobodyReads(inbox);
            AddInbox(inbox);
            _backplaneSubscribed = true;
        }

        if (!_multiplexer!.GetSubscriber().IsConnected(_backplaneChannel))
        {
            throw new InvalidOperationException("The backplane subscription is not connected.");
        }
    }

    private void OnBackplaneMessage(RedisValue message)
    {
        var text = (string?)message;
        if (text is not null && text.StartsWith(BackplaneManyVersion, StringComparison.Ordinal))
        {
            OnManyKeysMessage(text);
            return;
        }

        if (text is null || !text.StartsWith(BackplaneVersion, StringComparison.Ordinal))
        {
            return;
        }

        var separator = text.IndexOf('|', BackplaneVersion.Length);
        if (separator < 0)
        {
            return;
        }

        // Our own write already left our entry right; dropping it would only cost a miss.
        if (text.AsSpan(BackplaneVersion.Length, separator - BackplaneVersion.Length).SequenceEqual(InstanceId))
        {
            return;
        }

        Invalidate(text[(separator + 1)..]);
    }

    private void OnManyKeysMessage(string text)
    {
        var position = BackplaneManyVersion.Length;
        var separator = text.IndexOf('|', position);

        // Our own removals were dropped here before they were published.
        if (separator < 0 || text.AsSpan(position, separator - position).SequenceEqual(InstanceId))
        {
            return;
        }

        position = separator + 1;
        while (position < text.Length)
        {
            var colon = text.IndexOf(':', position);
            if (colon < 0
                || !int.TryParse(text.AsSpan(position, colon - position), NumberStyles.None, CultureInfo.InvariantCulture, out var length)
                || length > text.Length - colon - 1)
            {
                // Malformed from here on: what was applied stays applied (an extra removal is harmless).
                return;
            }

            Invalidate(text.Substring(colon + 1, length));
            position = colon + 1 + length;
        }
    }
}
