namespace RedisCaching.Testing;

/// <summary>The values of <see cref="IRedisTestServer.Kind"/>.</summary>
public static class RedisTestServerKinds
{
    /// <summary>A <c>redis-server</c> process the harness started on this machine.</summary>
    public const string Process = "process";

    /// <summary>A container the harness started through Testcontainers.</summary>
    public const string Container = "container";

    /// <summary>A server named by <c>REDISCACHING_TEST_REDIS</c>, which the harness neither starts nor stops.</summary>
    public const string External = "external";
}
