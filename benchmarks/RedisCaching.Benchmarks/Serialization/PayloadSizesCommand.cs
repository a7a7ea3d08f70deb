using System;
using System.Buffers;
using System.Globalization;
using System.Text;
using RedisCaching.Serialization;

namespace RedisCaching.Benchmarks.Serialization;

/// <summary>
/// <c>payload-sizes</c> mode: the byte counts behind the serializer and compressor suites (deterministic, no timing):
/// JSON vs MessagePack per order size, and each codec's compressed size of both.
/// </summary>
internal static class PayloadSizesCommand
{
    public static int Run()
    {
        var report = new StringBuilder();
        report.AppendLine("| object | STJ bytes | MessagePack bytes | MessagePack / STJ |");
        report.AppendLine("|---|---:|---:|---:|");
        foreach (string size in new[] { "small", "medium", "large" })
        {
            int json = Payloads.JsonOf(size).Length;
            int msgpack = Payloads.MessagePackOf(size).Length;
            report.AppendLine(CultureInfo.InvariantCulture, $"| {size} | {json:N0} | {msgpack:N0} | {(double)msgpack / json:0.00} |");
        }

        report.AppendLine();
        report.AppendLine("| payload | input bytes | gzip | zlib | brotli | zstd | lz4 |");
        report.AppendLine("|---|---:|---:|---:|---:|---:|---:|");
        using var zstd = new ZstdCacheCompressor();
        using var lz4 = new Lz4CacheCompressor();
        foreach (string format in new[] { "STJ", "MessagePack" })
        {
            foreach (string size in new[] { "small", "medium", "large" })
            {
                byte[] input = format == "STJ" ? Payloads.JsonOf(size) : Payloads.MessagePackOf(size);
                report.Append(CultureInfo.InvariantCulture, $"| {format} {size} | {input.Length:N0} |");
                foreach (string codec in new[] { "gzip", "zlib", "brotli", "zstd", "lz4" })
                {
                    var writer = new ArrayBufferWriter<byte>();
                    switch (codec)
                    {
                        case "zstd": zstd.Compress(input, writer); break;
                        case "lz4": lz4.Compress(input, writer); break;
                        default: new BclCodec(codec).Compress(input, writer); break;
                    }

                    report.Append(CultureInfo.InvariantCulture, $" {writer.WrittenCount:N0} ({(double)input.Length / writer.WrittenCount:0.00}x) |");
                }

                report.AppendLine();
            }
        }

        Console.Write(report.ToString());
        return 0;
    }
}
