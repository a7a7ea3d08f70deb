using System;
using System.Net;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using StackExchange.Redis;

namespace RedisCaching.Benchmarks.Peers;

/// <summary>
/// The baseline: StackExchange.Redis GET / SET with System.Text.Json, no L1, no stampede protection. Tags are a
/// plain index (a Redis set per tag, SADD on write, SMEMBERS + DEL on removal), the simplest design a cache could
/// use, so remove-by-tag has a baseline too.
/// </summary>
public sealed class RawRedisPeer : ICacheUnderTest
{
    private const string TagPrefix = "raw-tag:";
    private readonly ConnectionMultiplexer _multiplexer;
    private readonly IDatabase _database;

    private RawRedisPeer(ConnectionMultiplexer multiplexer)
    {
        _multiplexer = multiplexer;
        _database = multiplexer.GetDatabase();
    }

    public string Name => PeerNames.Raw;

    public PeerFeatures Features => PeerFeatures.DistributedTier | PeerFeatures.Tags | PeerFeatures.CrossInstanceInvalidation;

    public IDatabase Database => _database;

    public static async Task<RawRedisPeer> CreateAsync(IPEndPoint endpoint, string instance) =>
        new(await ConnectionMultiplexer.ConnectAsync(BenchEndpoint.ClientOptions(endpoint, $"bench-raw-{instance}")));

    public static byte[] Serialize<T>(T value) => JsonSerializer.SerializeToUtf8Bytes(value, PeerDefaults.TypeInfo<T>());

    public async ValueTask<T> GetOrSetAsync<T>(string key, Func<string, CancellationToken, ValueTask<T>> factory, string[]? tags = null, CancellationToken cancellationToken = default)
    {
        Lookup<T> hit = await TryGetAsync<T>(key, cancellationToken);
        if (hit.Found)
        {
            return hit.Value!;
        }

        T value = await factory(key, cancellationToken);
        await SetAsync(key, value, tags, cancellationToken);
        return value;
    }

    public async ValueTask<Lookup<T>> TryGetAsync<T>(string key, CancellationToken cancellationToken = default)
    {
        RedisValue raw = await _database.StringGetAsync(key);
        return raw.IsNull
            ? default(Lookup<T>)
            : new Lookup<T>(true, JsonSerializer.Deserialize(((ReadOnlyMemory<byte>)raw).Span, PeerDefaults.TypeInfo<T>()));
    }

    public ValueTask<Lookup<T>> TryGetFromL2Async<T>(string key, CancellationToken cancellationToken = default) =>
        TryGetAsync<T>(key, cancellationToken);

    public async ValueTask SetAsync<T>(string key, T value, string[]? tags = null, CancellationToken cancellationToken = default)
    {
        Task set = _database.StringSetAsync(key, Serialize(value), PeerDefaults.Duration);
        if (tags is not null)
        {
            foreach (string tag in tags)
            {
                _ = _database.SetAddAsync(TagPrefix + tag, key, CommandFlags.FireAndForget);
            }
        }

        await set;
    }

    public async ValueTask RemoveAsync(string key, CancellationToken cancellationToken = default) =>
        await _database.KeyDeleteAsync(key);

    public async ValueTask RemoveByTagAsync(string tag, CancellationToken cancellationToken = default)
    {
        RedisKey index = TagPrefix + tag;
        RedisValue[] members = await _database.SetMembersAsync(index);
        var keys = new RedisKey[members.Length + 1];
        for (int i = 0; i < members.Length; i++)
        {
            keys[i] = (string?)members[i];
        }

        keys[^1] = index;
        await _database.KeyDeleteAsync(keys);
    }

    public async ValueTask DisposeAsync() => await _multiplexer.DisposeAsync();
}
