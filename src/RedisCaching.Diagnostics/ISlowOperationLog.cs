using System.Collections.Generic;

namespace RedisCaching.Diagnostics;

/// <summary>
/// The last slow Redis commands of every cache in the process (registered by
/// <c>AddRedisCaching().AddSlowOperationLog()</c>); each is also logged as <see cref="DiagnosticsEventIds.SlowRedisOperation"/>.
/// It listens from the moment it is first resolved.
/// </summary>
public interface ISlowOperationLog
{
    /// <summary>The most recent slow commands, oldest first (at most <see cref="SlowOperationLogOptions.Capacity"/>).</summary>
    /// <returns>A copy; later commands do not change it.</returns>
    IReadOnlyList<SlowOperation> GetRecent();
}
