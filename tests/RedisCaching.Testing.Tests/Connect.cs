using System;
using System.Diagnostics;
using System.Threading.Tasks;
using StackExchange.Redis;

namespace RedisCaching.Testing.Tests;

/// <summary>Client settings for tests: short timeouts and fail-fast, so a failure shows in seconds, not minutes.</summary>
internal static class Connect
{
    public static ConfigurationOptions Fast(ConfigurationOptions options, int timeoutMs = 3000)
    {
        options.ConnectTimeout = timeoutMs;
        options.AsyncTimeout = timeoutMs;
        options.SyncTimeout = timeoutMs;
        options.ConnectRetry = 1;
        options.BacklogPolicy = BacklogPolicy.FailFast;
        return options;
    }

    public static Task<ConnectionMultiplexer> ToAsync(IRedisTestServer server, int timeoutMs = 3000) =>
        ConnectionMultiplexer.ConnectAsync(Fast(server.CreateConfigurationOptions(), timeoutMs));

    /// <summary>Connects with abortConnect=true, so a refused connection or handshake throws.</summary>
    public static Task<ConnectionMultiplexer> StrictAsync(ConfigurationOptions options, int timeoutMs = 2000)
    {
        Fast(options, timeoutMs);
        options.AbortOnConnectFail = true;
        return ConnectionMultiplexer.ConnectAsync(options);
    }

    /// <summary>Polls <paramref name="condition"/> until it holds, or fails after <paramref name="timeout"/>.</summary>
    public static async Task<bool> EventuallyAsync(Func<Task<bool>> condition, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < timeout)
        {
            try
            {
                if (await condition())
                {
                    return true;
                }
            }
            catch (Exception ex) when (ex is RedisException or TimeoutException)
            {
                // Not yet.
            }

            await Task.Delay(50);
        }

        return false;
    }
}
