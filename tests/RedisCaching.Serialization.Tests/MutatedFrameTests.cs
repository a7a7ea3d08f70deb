using System;
using System.Buffers;
using System.Text;
using NUnit.Framework;

namespace RedisCaching.Serialization.Tests;

/// <summary>
/// zstd and lz4 frames mutated 20,000 times each (bit flips, truncation, random bytes anywhere and in the header): never
/// an exception, and, since both frames carry a content checksum, never other bytes reported as done.
/// </summary>
public class MutatedFrameTests
{
    [TestCase("zstd")]
    [TestCase("lz4")]
    public void Mutated_frames_never_throw_and_never_decode_to_other_bytes(string name)
    {
        ICacheCompressor codec = name == "zstd" ? new ZstdCacheCompressor() : new Lz4CacheCompressor();
        var random = new Random(10);
        var sb = new StringBuilder();
        for (var i = 0; i < 20000; i++)
        {
            sb.Append("item ").Append(random.Next(500)).Append(';');
        }

        var original = Encoding.UTF8.GetBytes(sb.ToString());
        var frame = new ArrayBufferWriter<byte>();
        codec.Compress(original, frame);
        var bytes = frame.WrittenSpan.ToArray();
        var problems = new StringBuilder();
        for (var round = 0; round < 20000; round++)
        {
            var mutated = (byte[])bytes.Clone();
            switch (round % 4)
            {
                case 0:
                    mutated[random.Next(mutated.Length)] ^= (byte)(1 << random.Next(8));
                    break;
                case 1:
                    mutated = mutated[..random.Next(mutated.Length)];
                    break;
                case 2:
                    for (var k = 0; k < 8; k++)
                    {
                        mutated[random.Next(mutated.Length)] = (byte)random.Next(256);
                    }

                    break;
                default:
                    mutated[random.Next(Math.Min(32, mutated.Length))] = (byte)random.Next(256);
                    break;
            }

            var output = new ArrayBufferWriter<byte>();
            try
            {
                var result = codec.Decompress(mutated, output, 1024 * 1024);
                if (result == DecompressionResult.Done && !output.WrittenSpan.SequenceEqual(original))
                {
                    problems.AppendLine(System.Globalization.CultureInfo.InvariantCulture, $"round {round}: Done with {output.WrittenCount} bytes that differ from the original");
                }
            }
            catch (Exception ex)
            {
                problems.AppendLine(System.Globalization.CultureInfo.InvariantCulture, $"round {round}: {ex.GetType().Name}: {ex.Message}");
            }

            if (problems.Length > 2000)
            {
                break;
            }
        }

        Assert.That(problems.ToString(), Is.Empty);
    }
}
