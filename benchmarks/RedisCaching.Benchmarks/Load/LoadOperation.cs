namespace RedisCaching.Benchmarks.Load;

/// <summary>What each caller of the load driver repeats.</summary>
internal enum LoadOperation
{
    Get,
    Set,

    /// <summary>GET through <c>StringGetLeaseAsync</c> (pooled memory instead of a byte[] per read).</summary>
    GetLease,
}
