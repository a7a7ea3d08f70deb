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

    /// <summary>The message a test would fail or be ignored with, or null when a server can be had.</summary>
    public static string? MissingServerMessage(RedisTestEnvironment environment)
    {
        System.ArgumentNullException.ThrowIfNull(environment);
        return environment.RedisServerExecutable is null && environment.ExternalConfiguration is null
            ? "redis-server not found: " + InstallHint
            : null;
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
