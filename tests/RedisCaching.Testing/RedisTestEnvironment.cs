using System;

namespace RedisCaching.Testing;

/// <summary>
/// The settings the harness reads from environment variables. Tests of the harness build one by hand instead of
/// setting variables, so parallel tests never see each other's settings.
/// </summary>
public sealed record RedisTestEnvironment
{
    /// <summary>Default container image: one imported from the host's redis binaries by build/prepare-container-mode.sh.</summary>
    public const string DefaultContainerImage = "rediscaching/redis-local:7.0";

    /// <summary><c>REDISCACHING_TEST_SERVERS</c>: auto, process or container.</summary>
    public RedisTestServerMode Mode { get; init; } = RedisTestServerMode.Auto;

    /// <summary><c>REDISCACHING_TEST_REDIS</c>: an external server for the Standalone topology (host:port or a configuration string).</summary>
    public string? ExternalConfiguration { get; init; }

    /// <summary><c>REDISCACHING_TEST_REDIS_IMAGE</c>: the image of container mode.</summary>
    public string ContainerImage { get; init; } = DefaultContainerImage;

    /// <summary><c>CI=true</c>: a missing server fails tests instead of skipping them.</summary>
    public bool IsContinuousIntegration { get; init; }

    /// <summary>The redis-server found on PATH, or null.</summary>
    public string? RedisServerExecutable { get; init; }

    /// <summary>The redis-sentinel found on PATH, or null (the Sentinel topology needs it).</summary>
    public string? RedisSentinelExecutable { get; init; }

    /// <summary>The redis-cli found on PATH, or null (the Cluster topology is created and resharded with it).</summary>
    public string? RedisCliExecutable { get; init; }

    /// <summary>Reads the variables of the current process.</summary>
    public static RedisTestEnvironment FromEnvironmentVariables()
    {
        var mode = Environment.GetEnvironmentVariable("REDISCACHING_TEST_SERVERS");
        var image = Environment.GetEnvironmentVariable("REDISCACHING_TEST_REDIS_IMAGE");
        var external = Environment.GetEnvironmentVariable("REDISCACHING_TEST_REDIS");
        return new RedisTestEnvironment
        {
            Mode = ParseMode(mode),
            ExternalConfiguration = string.IsNullOrWhiteSpace(external) ? null : external.Trim(),
            ContainerImage = string.IsNullOrWhiteSpace(image) ? DefaultContainerImage : image.Trim(),
            IsContinuousIntegration = string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase),
            RedisServerExecutable = RedisExecutables.Find("redis-server"),
            RedisSentinelExecutable = RedisExecutables.Find("redis-sentinel"),
            RedisCliExecutable = RedisExecutables.Find("redis-cli"),
        };
    }

    /// <summary>Parses a <c>REDISCACHING_TEST_SERVERS</c> value; empty means auto.</summary>
    public static RedisTestServerMode ParseMode(string? value) => value?.Trim().ToUpperInvariant() switch
    {
        null or "" or "AUTO" => RedisTestServerMode.Auto,
        "PROCESS" => RedisTestServerMode.Process,
        "CONTAINER" => RedisTestServerMode.Container,
        _ => throw new ArgumentException($"REDISCACHING_TEST_SERVERS must be auto, process or container, not '{value}'.", nameof(value)),
    };
}
