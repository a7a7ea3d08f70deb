using System;
using System.Threading.Tasks;
using StackExchange.Redis;

namespace RedisCaching.Internal.Memory;

/// <summary>
/// The fallback where the server refuses CLIENT TRACKING: our own writes publish their keys, other instances drop
/// them. Writes by other programs are not seen (the Backplane mode's documentation says so).
/// Message format v1 (UTF-8 text): <c>v1|&lt;instance id, 32 hex digits&gt;|&lt;full Redis key&gt;</c>; the key is
/// everything after the second <c>|</c>, so it may contain <c>|</c>. Anything else is ignored.
/// </summary>
internal sealed partial class CoherentMemoryTier
{
    private const string BackplaneVersion = "v1|";
    private readonly RedisChannel _backplaneChannel;
    private volatile bool _backplaneActive;
    private bool _backplaneSubscribed;

    public ValueTask AfterOwnWriteAsync(string redisKey)
    {
        ArgumentNullException.ThrowIfNull(redisKey);
        if (!_backplaneActive || _multiplexer is null)
        {
            // Tracking: Redis tells every other client; NOLOOP keeps it from telling us.
            return ValueTask.CompletedTask;
        }

        var message = BackplaneVersion + InstanceId + "|" + redisKey;
        return new ValueTask(_multiplexer.GetSubscriber().PublishAsync(_backplaneChannel, message));
    }

    private async Task EnableBackplaneAsync()
    {
        if (!_backplaneSubscribed)
        {
            await _multiplexer!.GetSubscriber().SubscribeAsync(_backplaneChannel, OnBackplaneMessage).ConfigureAwait(false);
            _backplaneSubscribed = true;
        }

        if (!_multiplexer!.GetSubscriber().IsConnected(_backplaneChannel))
        {
            throw new InvalidOperationException("The backplane subscription is not connected.");
        }
    }

    private void OnBackplaneMessage(RedisChannel channel, RedisValue message)
    {
        var text = (string?)message;
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
}
