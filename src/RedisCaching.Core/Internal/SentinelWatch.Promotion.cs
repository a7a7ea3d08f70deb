using System;
using System.Net;
using System.Threading.Tasks;
using StackExchange.Redis;

namespace RedisCaching.Internal;

/// <summary>
/// Shortens the pause of a failover: sentinels notice the promotion they ordered only at their next INFO of the
/// replica (a second or more), while calls are held off. So the selected replica is asked for its ROLE every
/// <see cref="PromotionPollInterval"/> and followed the moment it says "master". The sentinel promotes it in one
/// transaction with <c>CLIENT KILL TYPE normal</c>, so our connection dropping is the usual sign of the promotion: it is
/// replaced at once by a fresh one (StackExchange.Redis's own reconnect waits for its back-off).
/// </summary>
internal sealed partial class SentinelWatch
{
    private static readonly TimeSpan PromotionPollInterval = TimeSpan.FromMilliseconds(50);
    private static readonly TimeSpan RoleTimeout = TimeSpan.FromMilliseconds(250);

    private async Task WatchPromotionAsync(EndPoint selected)
    {
        var configuration = _source.Clone();
        configuration.ServiceName = null;
        configuration.EndPoints.Clear();
        configuration.EndPoints.Add(selected);
        configuration.AbortOnConnectFail = true;
        configuration.ConnectTimeout = Math.Min(configuration.ConnectTimeout, 1000);
        var reported = false;
        ConnectionMultiplexer? replica = null;
        try
        {
            while (FailoverInProgress && !_disposing.IsCancellationRequested)
            {
                try
                {
                    replica ??= await ConnectionMultiplexer.ConnectAsync(configuration).ConfigureAwait(false);
                    var server = replica.GetServer(selected);
                    if (!server.IsConnected)
                    {
                        throw new RedisConnectionException(ConnectionFailureType.SocketClosed, CommandFlags.None, "The selected replica's connection dropped (the sentinel's CLIENT KILL).");
                    }

                    // Bounded here: StackExchange.Redis notices its own timeouts only on its heartbeat (up to a second
                    // late), and a connection the sentinel just killed may leave the ROLE unanswered until then.
                    if (await server.RoleAsync().WaitAsync(RoleTimeout, _time).ConfigureAwait(false) is Role.Master)
                    {
                        Adopt(selected, epoch: null);
                        return;
                    }
                }
                catch (RedisServerException ex)
                {
                    // ROLE refused (an ACL without it): the sentinels' own messages follow anyway.
                    Log.SentinelWatchFailed(_logger, selected.ToString() ?? "?", ex.Message);
                    return;
                }
                catch (Exception ex) when (ex is RedisException or TimeoutException)
                {
                    if (!reported && ex is not RedisConnectionException)
                    {
                        reported = true;
                        Log.SentinelWatchFailed(_logger, selected.ToString() ?? "?", ex.Message);
                    }

                    if (replica is not null)
                    {
                        await replica.DisposeAsync().ConfigureAwait(false);
                        replica = null;
                        continue;
                    }
                }

                await Task.Delay(PromotionPollInterval, _time, _disposing.Token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (_disposing.IsCancellationRequested)
        {
            // Disposed while waiting.
        }
        finally
        {
            if (replica is not null)
            {
                await replica.DisposeAsync().ConfigureAwait(false);
            }
        }
    }
}
