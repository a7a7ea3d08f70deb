using System;
using System.Threading;
using System.Threading.Tasks;

namespace RedisCaching.Internal.Engine;

/// <summary>Tags: remove-by-tag (being built; entries with tags are still refused by the options resolver).</summary>
internal sealed partial class RedisCache
{
    public ValueTask RemoveByTagAsync(string tag, CancellationToken cancellationToken = default) =>
        throw new NotSupportedException("Tags are not supported by this version of RedisCaching yet.");
}
