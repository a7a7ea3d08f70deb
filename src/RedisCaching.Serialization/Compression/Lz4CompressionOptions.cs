using System;

namespace RedisCaching.Serialization;

/// <summary>Settings of <see cref="Lz4CacheCompressor"/>.</summary>
public sealed class Lz4CompressionOptions
{
    /// <summary>
    /// The LZ4 level: 0 is LZ4's fast mode (the point of LZ4: compression at memory speed), 3-9 its high-compression
    /// mode, 10-12 its optimal parser (smallest, slowest to write). Levels 1 and 2 do not exist in LZ4. Reading speed
    /// is the same for every level, and any reader reads any level.
    /// </summary>
    /// <value>The default value is 0 (fast).</value>
    public int Level { get; set; }

    /// <summary>Throws when a setting is out of range, with a message that says what to fix.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A setting is out of range.</exception>
    public void Validate()
    {
        if (Level is not (0 or (>= 3 and <= 12)))
        {
            throw new ArgumentOutOfRangeException(nameof(Level), Level, "The LZ4 level must be 0 (fast) or 3-12 (high compression); LZ4 has no levels 1 and 2.");
        }
    }
}
