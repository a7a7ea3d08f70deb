using System;

namespace RedisCaching.Internal;

/// <summary>Start-up check of <see cref="CacheEntryOptions.DistributedLockTimeout"/> in the defaults and every profile.</summary>
internal static class DistributedLockValidation
{
    public static void Validate(RedisCachingOptions options)
    {
        Check(options.DefaultEntryOptions, "Defaults:DistributedLockTimeout");
        foreach (var (name, profile) in options.Profiles)
        {
            Check(profile, $"Profiles:{name}:DistributedLockTimeout");
        }
    }

    private static void Check(CacheEntryOptions? entry, string setting)
    {
        if (entry?.DistributedLockTimeout is { } timeout && timeout < TimeSpan.Zero)
        {
            throw new RedisCachingConfigurationException(setting, $"{setting} must not be negative: set how long a miss waits for another process's factory (e.g. 00:00:05), or 00:00:00 / nothing to leave the cross-process lock off.");
        }
    }
}
