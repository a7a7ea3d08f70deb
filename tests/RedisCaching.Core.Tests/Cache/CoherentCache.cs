using System;
using System.Threading.Tasks;
using RedisCaching.Internal.Engine;
using RedisCaching.Internal.Memory;

namespace RedisCaching.Core.Tests.Cache;

/// <summary>An engine with its memory tier and connection, disposed together.</summary>
internal sealed record CoherentCache(RedisCache Cache, CoherentMemoryTier Tier, IRedisConnection Connection) : IAsyncDisposable
{
    public async ValueTask DisposeAsync()
    {
        await Cache.DisposeAsync();
        await Connection.DisposeAsync();
    }
}
