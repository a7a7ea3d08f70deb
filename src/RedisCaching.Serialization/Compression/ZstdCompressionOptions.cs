using System;

namespace RedisCaching.Serialization;

/// <summary>Settings of <see cref="ZstdCacheCompressor"/>.</summary>
public sealed class ZstdCompressionOptions
{
    /// <summary>The lowest level accepted (zstd's fastest negative levels trade most of the ratio for speed).</summary>
    public const int MinLevel = -7;

    /// <summary>The highest level accepted (zstd's maximum).</summary>
    public const int MaxLevel = 22;

    /// <summary>
    /// The zstd compression level, <see cref="MinLevel"/> to <see cref="MaxLevel"/>; higher is smaller and slower to
    /// write (reading speed barely changes). Only writers use it: an entry written at any level is read by any reader.
    /// </summary>
    /// <value>The default value is 3 (zstd's own default); see benchmarks/README.md for measured levels.</value>
    public int Level { get; set; } = 3;

    /// <summary>
    /// An optional dictionary trained by zstd (<c>zstd --train samples/* -o dict</c>, or ZstdSharp's <c>DictBuilder</c>)
    /// on samples of the app's own payloads; it makes small entries (a few hundred bytes to a few KB) compress far
    /// better. <b>Every reader must use the same dictionary</b>: each frame records the dictionary's id, and an entry
    /// whose id differs from this one (compressed with another dictionary, or without one) is read as
    /// <see cref="DecompressionResult.Corrupt"/>, a miss, never decoded to garbage. To change dictionaries, register the
    /// new one under a new compressor id and name (an app's own codec ids are 64-255) and keep the old one readable
    /// until its entries expire. Dictionaries without an id (raw content) are refused for that reason.
    /// </summary>
    /// <value>The default value is null (no dictionary).</value>
    public ReadOnlyMemory<byte>? Dictionary { get; set; }

    /// <summary>Throws when a setting is out of range, with a message that says what to fix.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A setting is out of range.</exception>
    public void Validate()
    {
        if (Level is < MinLevel or > MaxLevel)
        {
            throw new ArgumentOutOfRangeException(nameof(Level), Level, $"The zstd level must be between {MinLevel} and {MaxLevel} (3 is zstd's default).");
        }
    }
}
