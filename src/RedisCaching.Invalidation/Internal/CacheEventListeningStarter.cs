using System;
using System.Threading.Tasks;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace RedisCaching.Invalidation.Internal;

/// <summary>
/// Starts listening on the events channel when the host validates options at start-up. Redis being down then must
/// not stop the app (the cache's failure policy), so the subscription is started, not awaited: a failure is logged,
/// and StackExchange.Redis re-subscribes by itself after a reconnect once subscribed.
/// </summary>
internal sealed class CacheEventListeningStarter(ICacheEventPublisher publisher, ILoggerFactory? loggerFactory = null) : IValidateOptions<CacheEventListening>
{
    public ValidateOptionsResult Validate(string? name, CacheEventListening options)
    {
        _ = StartAsync();
        return ValidateOptionsResult.Success;
    }

    private async Task StartAsync()
    {
        try
        {
            await publisher.StartListeningAsync().ConfigureAwait(false);
        }
        catch (Exception e)
        {
            Log.EventListenFailed(loggerFactory?.CreateLogger("RedisCaching.Invalidation") ?? NullLogger.Instance, e);
        }
    }
}
