using System;

namespace RedisCaching.Benchmarks.Peers;

/// <summary>What a peer under test can do.</summary>
[Flags]
public enum PeerFeatures
{
    None = 0,

    /// <summary>An in-process tier.</summary>
    MemoryTier = 1,

    /// <summary>A Redis tier shared by instances.</summary>
    DistributedTier = 2,

    /// <summary>Remove-by-tag.</summary>
    Tags = 4,

    /// <summary>A write through one instance drops the entry from every other instance's L1.</summary>
    CrossInstanceInvalidation = 8,

    /// <summary>Concurrent get-or-set calls on one cold key run the factory once per process.</summary>
    StampedeProtection = 16,
}
