using System;

namespace RedisCaching.Testing;

/// <summary>Key prefixes that keep tests apart on a shared or external server and pass every topology's ACL.</summary>
public static class RedisTestKeys
{
    /// <summary>
    /// A prefix unique to the caller, under <see cref="RedisTopology.AllowedKeyPrefix"/> (<c>app:</c>), e.g.
    /// <c>app:Get_returns_value:3f2a9c1d:</c>.
    /// </summary>
    public static string NewPrefix(string name = "test") =>
        $"{RedisTopology.AclUser.AllowedKeyPrefix}{name}:{Guid.NewGuid().ToString("N")[..8]}:";
}
