namespace RedisCaching.Testing;

/// <summary>How the harness runs servers (<c>REDISCACHING_TEST_SERVERS</c>).</summary>
public enum RedisTestServerMode
{
    /// <summary>Containers when an engine is reachable and the image is there; redis-server processes otherwise.</summary>
    Auto,

    /// <summary>Always redis-server processes.</summary>
    Process,

    /// <summary>Always containers; failing to start one fails the test (a set-up problem).</summary>
    Container,
}
