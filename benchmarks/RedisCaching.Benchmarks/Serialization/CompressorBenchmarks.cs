using System.Buffers;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using RedisCaching.Serialization;

namespace RedisCaching.Benchmarks.Serialization;

/// <summary>
/// Each codec compressing and decompressing the System.Text.Json payload of each order size (the default format's
/// bytes: what the cache would compress), into reused buffers. gzip is the baseline (the requirements name it).
/// The MB/s column is uncompressed bytes per second; ratios: <c>payload-sizes</c> mode.
/// </summary>
[NoRedis]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
public class CompressorBenchmarks
{
    private readonly ZstdCacheCompressor _zstd = new();
    private readonly Lz4CacheCompressor _lz4 = new();
    private readonly BclCodec _gzip = new("gzip");
    private readonly BclCodec _zlib = new("zlib");
    private readonly BclCodec _brotli = new("brotli");
    private readonly ArrayBufferWriter<byte> _compressed = new(512 * 1024);
    private readonly ArrayBufferWriter<byte> _decompressed = new(512 * 1024);
    private byte[] _input = [];
    private byte[] _gzipFrame = [], _zlibFrame = [], _brotliFrame = [], _zstdFrame = [], _lz4Frame = [];

    [Params("small", "medium", "large")]
    public string Size { get; set; } = "medium";

    [GlobalSetup]
    public void Setup()
    {
        _input = Payloads.JsonOf(Size);
        _gzipFrame = Frame(w => _gzip.Compress(_input, w));
        _zlibFrame = Frame(w => _zlib.Compress(_input, w));
        _brotliFrame = Frame(w => _brotli.Compress(_input, w));
        _zstdFrame = Frame(w => _zstd.Compress(_input, w));
        _lz4Frame = Frame(w => _lz4.Compress(_input, w));
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _zstd.Dispose();
        _lz4.Dispose();
    }

    [Benchmark(Baseline = true)]
    [BenchmarkCategory("Compress")]
    public int Gzip_Compress()
    {
        _compressed.ResetWrittenCount();
        _gzip.Compress(_input, _compressed);
        return _compressed.WrittenCount;
    }

    [Benchmark]
    [BenchmarkCategory("Compress")]
    public int Zlib_Compress()
    {
        _compressed.ResetWrittenCount();
        _zlib.Compress(_input, _compressed);
        return _compressed.WrittenCount;
    }

    [Benchmark]
    [BenchmarkCategory("Compress")]
    public int Brotli_Compress()
    {
        _compressed.ResetWrittenCount();
        _brotli.Compress(_input, _compressed);
        return _compressed.WrittenCount;
    }

    [Benchmark]
    [BenchmarkCategory("Compress")]
    public int Zstd_Compress()
    {
        _compressed.ResetWrittenCount();
        _zstd.Compress(_input, _compressed);
        return _compressed.WrittenCount;
    }

    [Benchmark]
    [BenchmarkCategory("Compress")]
    public int Lz4_Compress()
    {
        _compressed.ResetWrittenCount();
        _lz4.Compress(_input, _compressed);
        return _compressed.WrittenCount;
    }

    [Benchmark(Baseline = true)]
    [BenchmarkCategory("Decompress")]
    public int Gzip_Decompress()
    {
        _decompressed.ResetWrittenCount();
        _gzip.Decompress(_gzipFrame, _decompressed, _input.Length);
        return _decompressed.WrittenCount;
    }

    [Benchmark]
    [BenchmarkCategory("Decompress")]
    public int Zlib_Decompress()
    {
        _decompressed.ResetWrittenCount();
        _zlib.Decompress(_zlibFrame, _decompressed, _input.Length);
        return _decompressed.WrittenCount;
    }

    [Benchmark]
    [BenchmarkCategory("Decompress")]
    public int Brotli_Decompress()
    {
        _decompressed.ResetWrittenCount();
        _brotli.Decompress(_brotliFrame, _decompressed, _input.Length);
        return _decompressed.WrittenCount;
    }

    [Benchmark]
    [BenchmarkCategory("Decompress")]
    public DecompressionResult Zstd_Decompress()
    {
        _decompressed.ResetWrittenCount();
        return _zstd.Decompress(_zstdFrame, _decompressed, 1 << 24);
    }

    [Benchmark]
    [BenchmarkCategory("Decompress")]
    public DecompressionResult Lz4_Decompress()
    {
        _decompressed.ResetWrittenCount();
        return _lz4.Decompress(_lz4Frame, _decompressed, 1 << 24);
    }

    private static byte[] Frame(System.Action<ArrayBufferWriter<byte>> compress)
    {
        var writer = new ArrayBufferWriter<byte>();
        compress(writer);
        return writer.WrittenSpan.ToArray();
    }
}
