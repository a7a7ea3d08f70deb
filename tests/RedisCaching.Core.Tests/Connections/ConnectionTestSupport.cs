using System;
using System.Diagnostics;
using System.Threading.Tasks;
using RedisCaching;
using RedisCaching.Testing;
using StackExchange.Redis;

namespace RedisCaching.Core.Tests.Connections;

/// <summary>Helpers shared by the connection tests: options for a test server and bounded waits.</summary>
internal static class ConnectionTestSupport
{
    /// <summary>Starts servers as the environment says (processes here; containers or an external server elsewhere).</summary>
    public static RedisTestServerFactory Servers { get; } = new();

    public static RedisConnectionOptions OptionsFor(IRedisTestServer server, Action<RedisConnectionOptions>? adjust = null)
    {
        var options = new RedisConnectionOptions
        {
            Host = server.Host,
            Port = server.Port,
            User = server.User,
            Password = server.Password,
            CommandTimeout = TimeSpan.FromMilliseconds(500),
        };
        adjust?.Invoke(options);
        return options;
    }

    /// <summary>Retries <paramref name="operation"/> until it succeeds or <paramref name="deadline"/> passes; returns how long it took.</summary>
    public static async Task<TimeSpan> EventuallyAsync(Func<Task> operation, TimeSpan deadline)
    {
        var stopwatch = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                await operation();
                return stopwatch.Elapsed;
            }
            catch (Exception ex) when (ex is RedisConnectionException or RedisTimeoutException && stopwatch.Elapsed < deadline)
            {
                await Task.Delay(50);
            }
        }
    }

    public static string UniqueKey(string prefix = "test") => $"{prefix}:{Guid.NewGuid():N}";
}
