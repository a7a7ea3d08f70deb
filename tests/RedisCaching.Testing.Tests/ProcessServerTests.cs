using System;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Threading.Tasks;
using NUnit.Framework;
using StackExchange.Redis;

namespace RedisCaching.Testing.Tests;

public sealed class ProcessServerTests
{
    [Test]
    public async Task Process_server_answers_ping_and_stops_by_pid()
    {
        await using var server = await TestFactories.Process.StartProcessAsync(RedisTopology.Standalone);
        var pid = server.ProcessId!.Value;
        using (Assert.EnterMultipleScope())
        {
            Assert.That(server.Kind, Is.EqualTo(RedisTestServerKinds.Process));
            Assert.That(server.Host, Is.EqualTo("127.0.0.1"));
            Assert.That(ProcessExists(pid), Is.True);
            Assert.That(RedisProcessRegistry.RunningProcessIds, Does.Contain(pid));
            Assert.That(server.ConfigurationString, Does.EndWith("abortConnect=false"));
        }

        await using (var redis = await Connect.ToAsync(server))
        {
            Assert.That(await redis.GetDatabase().PingAsync(), Is.GreaterThan(TimeSpan.Zero));
        }

        await server.StopAsync();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(ProcessExists(pid), Is.False, "/proc/<pid> after stop");
            Assert.That(RedisProcessRegistry.RunningProcessIds, Does.Not.Contain(pid));
            Assert.That(server.ProcessId, Is.Null);
        }
    }

    [Test]
    public async Task Dispose_leaves_no_process_and_no_folder()
    {
        var server = await TestFactories.Process.StartProcessAsync(RedisTopology.Standalone);
        var pid = server.ProcessId!.Value;
        // The server runs in its own temporary folder: its working directory.
        var folder = new DirectoryInfo($"/proc/{pid}/cwd").ResolveLinkTarget(returnFinalTarget: true)!.FullName;
        Assert.That(Directory.Exists(folder), Is.True);

        await server.DisposeAsync();
        await server.DisposeAsync(); // twice is harmless

        using (Assert.EnterMultipleScope())
        {
            Assert.That(ProcessExists(pid), Is.False);
            Assert.That(RedisProcessRegistry.RunningProcessIds, Does.Not.Contain(pid));
            Assert.That(Directory.Exists(folder), Is.False, folder);
        }
    }

    [Test]
    public async Task Restart_keeps_the_port_and_the_client_reconnects()
    {
        await using var server = await TestFactories.Process.StartProcessAsync(RedisTopology.Standalone);
        var port = server.Port;
        var pid = server.ProcessId;
        await using var redis = await Connect.ToAsync(server);
        var db = redis.GetDatabase();
        var key = RedisTestKeys.NewPrefix() + "k";
        await db.StringSetAsync(key, "before");

        await server.RestartAsync();

        Assert.That(server.Port, Is.EqualTo(port));
        Assert.That(server.ProcessId, Is.Not.EqualTo(pid));
        var reconnected = await Connect.EventuallyAsync(async () => (await db.PingAsync()) > TimeSpan.Zero, TimeSpan.FromSeconds(15));
        Assert.That(reconnected, Is.True, "the client did not reconnect after the restart");
        // Persistence is off: a restarted server starts empty.
        Assert.That((string?)await db.StringGetAsync(key), Is.Null);
    }

    [Test]
    public async Task Pause_freezes_the_server_and_resume_thaws_it()
    {
        await using var server = await TestFactories.Process.StartProcessAsync(RedisTopology.Standalone);
        await using var redis = await ConnectionMultiplexer.ConnectAsync(Connect.Fast(server.CreateConfigurationOptions(), timeoutMs: 500));
        var db = redis.GetDatabase();
        await db.PingAsync();

        await server.PauseAsync();
        Assert.That(ProcessState(server.ProcessId!.Value), Is.EqualTo('T'), "state in /proc/<pid>/stat");
        Assert.That(async () => await db.PingAsync(), Throws.InstanceOf<RedisTimeoutException>());

        await server.ResumeAsync();
        Assert.That(await Connect.EventuallyAsync(async () => (await db.PingAsync()) > TimeSpan.Zero, TimeSpan.FromSeconds(10)), Is.True);
    }

    [Test]
    public async Task A_paused_server_still_stops()
    {
        await using var server = await TestFactories.Process.StartProcessAsync(RedisTopology.Standalone);
        var pid = server.ProcessId!.Value;
        await server.PauseAsync();

        await server.StopAsync();

        Assert.That(ProcessExists(pid), Is.False);
    }

    [Test]
    public async Task RunCli_writes_from_outside_and_the_client_reads_it()
    {
        await using var server = await TestFactories.Process.StartProcessAsync(RedisTopology.Standalone);
        var key = RedisTestKeys.NewPrefix() + "outside";

        Assert.That(await server.RunCliAsync("SET", key, "from-cli"), Is.EqualTo("OK"));

        await using var redis = await Connect.ToAsync(server);
        Assert.That((string?)await redis.GetDatabase().StringGetAsync(key), Is.EqualTo("from-cli"));
    }

    [Test]
    public async Task Extra_arguments_reach_the_server()
    {
        var options = new RedisTestServerOptions { ExtraArguments = ["--maxmemory", "1mb", "--maxmemory-policy", "noeviction"] };
        await using var server = await TestFactories.Process.StartProcessAsync(RedisTopology.Standalone, options);

        var reply = await server.RunCliAsync("CONFIG", "GET", "maxmemory-policy");

        Assert.That(reply.Split('\n'), Is.EqualTo(new[] { "maxmemory-policy", "noeviction" }));
    }

    [Test]
    public void A_server_that_cannot_start_fails_with_its_log_tail()
    {
        var options = new RedisTestServerOptions { ExtraArguments = ["--no-such-directive", "x"] };

        var ex = Assert.ThrowsAsync<RedisTestServerStartException>(() => TestFactories.Process.StartProcessAsync(RedisTopology.Standalone, options));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(ex.Message, Does.Contain("Bad directive"));
            Assert.That(ex.Message, Does.Contain("--no-such-directive"));
        }
    }

    [Test]
    public async Task Servers_started_in_parallel_get_distinct_ports_and_all_answer()
    {
        var servers = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => TestFactories.Process.StartProcessAsync(RedisTopology.Standalone)));
        var pids = servers.Select(s => s.ProcessId!.Value).ToArray();
        try
        {
            Assert.That(servers.Select(s => s.Port), Is.Unique);
            var pongs = await Task.WhenAll(servers.Select(s => s.RunCliAsync("PING")));
            Assert.That(pongs, Is.All.EqualTo("PONG"));
        }
        finally
        {
            await Task.WhenAll(servers.Select(s => s.DisposeAsync().AsTask()));
        }

        Assert.That(RedisProcessRegistry.RunningProcessIds.Intersect(pids), Is.Empty);
    }

    private static bool ProcessExists(int pid) => Directory.Exists("/proc/" + pid.ToString(CultureInfo.InvariantCulture));

    private static char ProcessState(int pid)
    {
        // /proc/<pid>/stat: "pid (comm) S ..."; comm may hold spaces, so read after the last ')'.
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        return stat[stat.LastIndexOf(')') + 2];
    }
}
