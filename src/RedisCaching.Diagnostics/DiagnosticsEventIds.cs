namespace RedisCaching.Diagnostics;

/// <summary>
/// Event ids of RedisCaching.Diagnostics' log messages (6000-6999). Messages carry commands, cache names and
/// timings, never a key or a value.
/// </summary>
public static class DiagnosticsEventIds
{
    /// <summary>A Redis command of the cache took longer than the slow-operation threshold (Warning).</summary>
    public const int SlowRedisOperation = 6000;
}
