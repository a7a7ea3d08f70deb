using System.Collections.Concurrent;
using NUnit.Framework;

namespace RedisCaching.Testing;

/// <summary>Notes for the person reading the test run, each written once per process however many tests hit it.</summary>
internal static class TestProgress
{
    private static readonly ConcurrentDictionary<string, byte> Written = new(System.StringComparer.Ordinal);

    public static void WriteOnce(string key, string message)
    {
        if (Written.TryAdd(key, 0))
        {
            TestContext.Progress.WriteLine("[RedisCaching.Testing] " + message);
        }
    }
}
