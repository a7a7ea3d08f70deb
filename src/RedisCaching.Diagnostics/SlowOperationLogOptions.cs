using System;

namespace RedisCaching.Diagnostics;

/// <summary>Settings of the slow-operation log.</summary>
public sealed class SlowOperationLogOptions
{
    /// <summary>Redis commands longer than this are logged and kept.</summary>
    /// <value>The default value is 100 ms.</value>
    public TimeSpan Threshold { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>How many of the most recent slow commands are kept in memory.</summary>
    /// <value>The default value is 100.</value>
    public int Capacity { get; set; } = 100;
}
