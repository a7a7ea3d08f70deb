using System.IO.Compression;

namespace RedisCaching;

/// <summary>
/// When payloads are compressed, and how much a compressed entry may expand to when read (section
/// <c>RedisCaching:Compression</c>). Which codec compresses is chosen per profile or entry
/// (<see cref="CacheEntryOptions.Compression"/>) or per type (<see cref="CacheTypeOptions.Compression"/>).
/// </summary>
public sealed class CompressionOptions
{
    /// <summary>Payloads smaller than this are stored as they are: compressing them costs more than it saves.</summary>
    /// <value>The default value is 1024 bytes.</value>
    public int ThresholdBytes { get; set; } = 1024;

    /// <summary>
    /// The least fraction of its size compression must save (0 to 1, exclusive); otherwise the payload is stored as it
    /// is, so already-compressed data (images, PDFs) costs no decompression on every read.
    /// </summary>
    /// <value>The default value is 0.10 (10%).</value>
    public double MinimumSavings { get; set; } = 0.10;

    /// <summary>
    /// The most bytes one compressed entry may decompress to. A larger entry (a decompression bomb, or a bigger value
    /// than this app expects) is a counted miss; the check comes before the memory is allocated.
    /// </summary>
    /// <value>The default value is 64 MiB.</value>
    public int MaxDecompressedBytes { get; set; } = 64 * 1024 * 1024;

    /// <summary>The level of the codecs built into .NET (<c>brotli</c>, <c>gzip</c>, <c>zlib</c>).</summary>
    /// <value>The default value is <see cref="CompressionLevel.Fastest"/>.</value>
    public CompressionLevel Level { get; set; } = CompressionLevel.Fastest;
}
