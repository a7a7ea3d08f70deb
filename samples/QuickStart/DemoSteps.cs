using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Threading.Tasks;
using RedisCaching;
using StackExchange.Redis;

namespace QuickStart;

/// <summary>The demo's steps, each printing what it did and what it measured.</summary>
internal sealed class DemoSteps(IRedisConnection connection)
{
    private const int ManyKeys = 100;
    private static readonly TimeSpan RestartDeadline = TimeSpan.FromSeconds(30);

    public async Task ShowServerAsync()
    {
        var multiplexer = await connection.GetMultiplexerAsync();
        Console.WriteLine($"1. Connected: status {connection.Health.Status}");
        foreach (var server in multiplexer.GetServers())
        {
            Console.WriteLine($"   server {server.EndPoint}: Redis {server.Version}, {server.ServerType}, protocol {server.Protocol}, connected {server.IsConnected}");
        }
    }

    public async Task SetAndGetAsync()
    {
        var database = (await connection.GetMultiplexerAsync()).GetDatabase();
        var written = $"hello from RedisCaching at {DateTimeOffset.UtcNow:O}";
        await database.StringSetAsync("quickstart:greeting", written, TimeSpan.FromMinutes(5));
        var read = await database.StringGetAsync("quickstart:greeting");
        Console.WriteLine($"2. SET then GET quickstart:greeting -> \"{read}\" (round trip {(read == written ? "ok" : "MISMATCH")})");
        if (read != written)
        {
            throw new RedisCachingException("The value read back differs from the one written.");
        }
    }

    public async Task PipelinedManyKeyReadAsync()
    {
        var database = (await connection.GetMultiplexerAsync()).GetDatabase();
        var keys = Enumerable.Range(0, ManyKeys).Select(i => (RedisKey)$"quickstart:item:{i}").ToArray();
        var batch = database.CreateBatch();
        var writes = keys.Select((key, i) => batch.StringSetAsync(key, $"value-{i}", TimeSpan.FromMinutes(5))).ToArray();
        batch.Execute();
        await Task.WhenAll(writes);

        // Every GET is sent before any reply is awaited: one flush, one round of replies.
        var stopwatch = Stopwatch.StartNew();
        var readBatch = database.CreateBatch();
        var reads = keys.Select(key => readBatch.StringGetAsync(key)).ToArray();
        readBatch.Execute();
        var values = await Task.WhenAll(reads);
        stopwatch.Stop();

        var correct = values.Select((value, i) => value == $"value-{i}").Count(ok => ok);
        Console.WriteLine($"3. Pipelined read of {ManyKeys} keys in {stopwatch.Elapsed.TotalMilliseconds:F2} ms: {correct}/{ManyKeys} correct, in order");
        if (correct != ManyKeys)
        {
            throw new RedisCachingException("A pipelined read returned a wrong value.");
        }
    }

    public async Task SurviveRestartAsync(string? signalPath)
    {
        if (string.IsNullOrEmpty(signalPath))
        {
            Console.WriteLine("6. Restart step skipped (run build/demo.sh to see the reconnect).");
            return;
        }

        Console.WriteLine("6. Asking the demo script to restart the server…");
        await File.WriteAllTextAsync(signalPath + ".request", "restart");
        var database = (await connection.GetMultiplexerAsync()).GetDatabase();
        var stopwatch = Stopwatch.StartNew();
        var failures = 0;
        var sawRestart = false;
        while (stopwatch.Elapsed < RestartDeadline)
        {
            sawRestart |= File.Exists(signalPath + ".done");
            try
            {
                await database.StringSetAsync("quickstart:after-restart", "ok", TimeSpan.FromMinutes(5));
                if (sawRestart && await database.StringGetAsync("quickstart:after-restart") == "ok")
                {
                    var health = connection.Health;
                    Console.WriteLine($"   back after {stopwatch.Elapsed.TotalSeconds:F1} s: {failures} call(s) failed fast meanwhile; "
                        + $"connection failures {health.ConnectionFailures}, restores {health.ConnectionRestores}, status {health.Status}");
                    return;
                }
            }
            catch (Exception ex) when (ex is RedisConnectionException or RedisTimeoutException)
            {
                if (failures++ == 0)
                {
                    Console.WriteLine($"   call failed while the server is down ({ex.GetType().Name}); retrying");
                }
            }

            await Task.Delay(100);
        }

        throw new RedisCachingException($"Redis did not come back within {RestartDeadline.TotalSeconds} s.");
    }
}
