namespace RedisCaching;

/// <summary>The outcome of <see cref="ICacheCompressor.Decompress"/>.</summary>
public enum DecompressionResult
{
    /// <summary>The frame was complete and valid; the destination holds its bytes.</summary>
    Done,

    /// <summary>The frame would produce more than the allowed maximum; decompression stopped.</summary>
    TooLarge,

    /// <summary>The frame is truncated, corrupt or not this codec's format.</summary>
    Corrupt,
}
