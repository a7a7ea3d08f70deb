using System.Threading.Tasks;
using NUnit.Framework;
using RedisCaching.Testing;
using StackExchange.Redis;

namespace RedisCaching.Invalidation.Tests;

/// <summary>A redis-server (standalone) for the fixture's tests, plus a raw StackExchange.Redis connection that reads Redis as another program would.</summary>
public abstract class ServerFixture
{
    /// <summary>The fixture's server.</summary>
    protected IRedisTestServer Server { get; private set; } = null!;

    /// <summary>A plain connection to the server, for checking what Redis holds.</summary>
    protected IConnectionMultiplexer Raw { get; private set; } = null!;

    /// <summary>The topology to start; standalone unless a fixture says otherwise.</summary>
    protected virtual RedisTopology Topology => RedisTopology.Standalone;

    [OneTimeSetUp]
    public async Task StartServer()
    {
        RedisAvailability.RequireServer();
        Server = await RedisTestServers.StartAsync(Topology);
        Raw = await ConnectionMultiplexer.ConnectAsync(Server.CreateConfigurationOptions());
    }

    [OneTimeTearDown]
    public async Task StopServer()
    {
        if (Raw is not null)
        {
            await Raw.DisposeAsync();
        }

        if (Server is not null)
        {
            await Server.DisposeAsync();
        }
    }

    /// <summary>Writes <paramref name="count"/> raw keys <c>{prefix}:{name}:{i}</c> in pipelined rounds (a pattern does not care what they hold).</summary>
    protected async Task FillAsync(string prefix, string name, int count, int start = 0)
    {
        var db = Raw.GetDatabase();
        for (var round = start; round < start + count; round += 1000)
        {
            var writes = new System.Collections.Generic.List<Task>(1000);
            for (var i = round; i < System.Math.Min(round + 1000, start + count); i++)
            {
                writes.Add(db.StringSetAsync($"{prefix}:{name}:{i}", "v", System.TimeSpan.FromMinutes(10)));
            }

            await Task.WhenAll(writes);
        }
    }

    /// <summary>How many keys match <paramref name="glob"/>, counted with SCAN on a raw connection.</summary>
    protected async Task<long> CountAsync(string glob)
    {
        long count = 0;
        RedisValue cursor = "0";
        do
        {
            var reply = (RedisResult[])(await Raw.GetServers()[0].ExecuteAsync(null, "SCAN", [cursor, "MATCH", glob, "COUNT", 1000], CommandFlags.None))!;
            cursor = (RedisValue)reply[0];
            count += ((RedisKey[])reply[1]!).Length;
        }
        while (cursor != "0");
        return count;
    }

    /// <summary>
    /// The keys Redis holds that match <paramref name="glob"/>, as <c>redis-cli --scan</c> sees them: another program
    /// reading Redis, not our client.
    /// </summary>
    protected async Task<System.Collections.Generic.List<string>> RedisKeysAsync(string glob)
    {
        var output = await Server.RunCliAsync("--scan", "--pattern", glob);
        var keys = new System.Collections.Generic.List<string>(output.Split('\n', System.StringSplitOptions.RemoveEmptyEntries));
        keys.Sort(System.StringComparer.Ordinal);
        return keys;
    }
}
