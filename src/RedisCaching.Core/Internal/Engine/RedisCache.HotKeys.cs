using System.Collections.Generic;

namespace RedisCaching.Internal.Engine;

/// <summary>The keys this instance read most lately, sampled on the read paths.</summary>
internal sealed partial class RedisCache : ICacheHotKeys
{
    private readonly HotKeySampler _hotKeys = new();

    public IReadOnlyList<string> GetHotKeys(int count) => _hotKeys.Top(count);
}
