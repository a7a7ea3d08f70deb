using System;

namespace RedisCaching.Testing;

/// <summary>What a failover helper of <see cref="RedisSentinelTopology"/> or <see cref="RedisClusterTopology"/> did.</summary>
/// <param name="OldPrimary">The primary that was demoted or killed.</param>
/// <param name="NewPrimary">The node promoted in its place.</param>
/// <param name="Pause">
/// From the failover command (or the kill) until the topology reports <paramref name="NewPrimary"/> as the primary
/// everywhere and it accepts writes: the longest a client that follows the topology can be kept waiting.
/// </param>
public sealed record RedisFailoverResult(IRedisTestNode OldPrimary, IRedisTestNode NewPrimary, TimeSpan Pause);
