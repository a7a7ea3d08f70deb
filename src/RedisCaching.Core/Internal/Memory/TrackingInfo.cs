using System;
using System.Collections.Generic;
using StackExchange.Redis;

namespace RedisCaching.Internal.Memory;

/// <summary>The parts of a RESP2 <c>CLIENT TRACKINGINFO</c> reply the redirect check needs.</summary>
internal readonly record struct TrackingInfo(IReadOnlyList<string> Flags, long Redirect)
{
    /// <summary>Parses <c>flags [..] redirect N prefixes [..]</c> (a flat key/value array in RESP2).</summary>
    public static TrackingInfo Parse(RedisResult result)
    {
        var flags = new List<string>();
        long redirect = -1;
        var parts = (RedisResult[]?)result ?? [];
        for (var i = 0; i + 1 < parts.Length; i += 2)
        {
            switch ((string?)parts[i])
            {
                case "flags":
                    foreach (var flag in (RedisResult[]?)parts[i + 1] ?? [])
                    {
                        flags.Add((string?)flag ?? string.Empty);
                    }

                    break;
                case "redirect":
                    redirect = (long)parts[i + 1];
                    break;
            }
        }

        return new TrackingInfo(flags, redirect);
    }

    /// <summary>Why tracking does not reach <paramref name="subscriptionId"/>, or null when it does.</summary>
    public string? Problem(long? subscriptionId)
    {
        if (Contains("off"))
        {
            return "tracking is off";
        }

        if (Contains("broken_redirect"))
        {
            return "the server reports a broken redirect";
        }

        if (subscriptionId is null)
        {
            return "the subscription connection is gone";
        }

        return subscriptionId != Redirect ? "the redirect is not the current subscription connection" : null;
    }

    private bool Contains(string flag)
    {
        foreach (var f in Flags)
        {
            if (string.Equals(f, flag, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }
}
