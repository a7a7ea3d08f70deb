using System;
using System.IO;

namespace RedisCaching.Testing;

/// <summary>Finds the Redis executables on PATH.</summary>
internal static class RedisExecutables
{
    public static string? Find(string name) => Find(name, Environment.GetEnvironmentVariable("PATH"));

    public static string? Find(string name, string? searchPath)
    {
        if (string.IsNullOrEmpty(searchPath))
        {
            return null;
        }

        foreach (var directory in searchPath.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(directory, name);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }

    public static string RequireCli() =>
        Find("redis-cli") ?? throw new InvalidOperationException(
            "redis-cli not found on PATH: install it with `apt-get update && apt-get install -y redis-tools`.");
}
