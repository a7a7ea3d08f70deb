namespace RedisCaching.Testing.Tests;

/// <summary>Factories with explicit settings, so tests that need a given kind get it whatever the environment says.</summary>
internal static class TestFactories
{
    public static RedisTestEnvironment Environment { get; } = RedisTestEnvironment.FromEnvironmentVariables() with { ExternalConfiguration = null };

    /// <summary>Always processes (pids, pause/resume, /proc checks).</summary>
    public static RedisTestServerFactory Process { get; } = new(Environment with { Mode = RedisTestServerMode.Process });
}
