namespace RedisCaching.Benchmarks.Peers;

/// <summary>The names peers go by on command lines and in reports.</summary>
public static class PeerNames
{
    public const string Raw = "raw";
    public const string Memory = "memory";
    public const string Fusion = "fusion";
    public const string Hybrid = "hybrid";

    /// <summary>RedisCaching's own <c>ICache</c> (<see cref="RedisCachingPeer"/>).</summary>
    public const string RedisCaching = "rediscaching";

    /// <summary>
    /// <see cref="RedisCaching"/> with another <c>Memory:MaxStaleness</c>: <c>rediscaching@off</c> (no staleness lease, the
    /// behaviour before it) or <c>rediscaching@10</c> (milliseconds). Plain <c>rediscaching</c> runs the default (25 ms).
    /// </summary>
    public const string RedisCachingVariantPrefix = RedisCaching + "@";
}
