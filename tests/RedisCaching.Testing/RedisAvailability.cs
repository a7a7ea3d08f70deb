using NUnit.Framework;

namespace RedisCaching.Testing;

/// <summary>
/// Decides what a test does when no Redis can be had: under <c>CI=true</c> it fails (a CI that cannot run the
/// integration tests must not pass), locally it is ignored; either way with a message that says how to fix it.
/// </summary>
public static class RedisAvailability
{
    /// <summary>The fix for a missing server, in every message.</summary>
    public const string InstallHint =
        "install it with `apt-get update && apt-get install -y redis-server redis-sentinel redis-tools`, or set REDISCACHING_TEST_REDIS=host:port";

    /// <summary>Fails (CI) or ignores (locally) the current test unless redis-server is on PATH or an external server is configured.</summary>
    public static void RequireServer() => RequireServer(RedisTestEnvironment.FromEnvironmentVariables());

    /// <inheritdoc cref="RequireServer()"/>
    public static void RequireServer(RedisTestEnvironment environment)
    {
        System.ArgumentNullException.ThrowIfNull(environment);
        Enforce(environment, MissingServerMessage(environment));
    }

    /// <summary>Like <see cref="RequireServer(RedisTestEnvironment)"/> for a topology only a local redis-server can provide.</summary>
    public static void RequireServerExecutable(RedisTestEnvironment environment, RedisTopology topology)
    {
        System.ArgumentNullException.ThrowIfNull(environment);
        System.ArgumentNullException.ThrowIfNull(topology);
        Enforce(environment, environment.RedisServerExecutable is null ? $"redis-server not found (the {topology} topology needs a local one): {InstallHint}" : null);
    }

    /// <summary>
    /// Fails (CI) or ignores (locally) the current test unless redis-server, redis-sentinel and redis-cli are on PATH
    /// (a Sentinel topology: processes only, checked with redis-cli).
    /// </summary>
    public static void RequireSentinel(RedisTestEnvironment environment)
    {
        System.ArgumentNullException.ThrowIfNull(environment);
        Enforce(environment, MissingExecutablesMessage("Sentinel", environment.RedisServerExecutable, environment.RedisSentinelExecutable, environment.RedisCliExecutable));
    }

    /// <summary>
    /// Fails (CI) or ignores (locally) the current test unless redis-server and redis-cli are on PATH
    /// (a Cluster topology: processes only, created with <c>redis-cli --cluster create</c>).
    /// </summary>
    public static void RequireCluster(RedisTestEnvironment environment)
    {
        System.ArgumentNullException.ThrowIfNull(environment);
        Enforce(environment, MissingExecutablesMessage("Cluster", environment.RedisServerExecutable, "redis-sentinel (not needed)", environment.RedisCliExecutable));
    }

    /// <summary>The message a test would fail or be ignored with, or null when a server can be had.</summary>
    public static string? MissingServerMessage(RedisTestEnvironment environment)
    {
        System.ArgumentNullException.ThrowIfNull(environment);
        return environment.RedisServerExecutable is null && environment.ExternalConfiguration is null
            ? "redis-server not found: " + InstallHint
            : null;
    }

    private static string? MissingExecutablesMessage(string topology, string? server, string? sentinel, string? cli)
    {
        var missing = new System.Collections.Generic.List<string>();
        if (server is null)
        {
            missing.Add("redis-server");
        }

        if (sentinel is null)
        {
            missing.Add("redis-sentinel");
        }

        if (cli is null)
        {
            missing.Add("redis-cli");
        }

        return missing.Count == 0 ? null : $"{string.Join(", ", missing)} not found (the {topology} topology runs local processes): {InstallHint}";
    }

    private static void Enforce(RedisTestEnvironment environment, string? message)
    {
        if (message is null)
        {
            return;
        }

        if (environment.IsContinuousIntegration)
        {
            Assert.Fail(message);
        }

        Assert.Ignore(message);
    }
}
