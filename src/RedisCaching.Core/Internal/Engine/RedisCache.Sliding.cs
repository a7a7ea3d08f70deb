using System;
using System.Threading;
using System.Threading.Tasks;

namespace RedisCaching.Internal.Engine;

/// <summary>Sliding expiration and refresh (being built; sliding options are still refused by the options resolver).</summary>
internal sealed partial class RedisCache
{
    public ValueTask<bool> RefreshAsync(string key, CancellationToken cancellationToken = default) =>
        throw new NotSupportedException("Sliding expiration is not supported by this version of RedisCaching yet.");
}
