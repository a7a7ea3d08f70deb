using System.Buffers;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;

namespace RedisCaching.Benchmarks.Serialization;

/// <summary>
/// System.Text.Json (source-generated, the default; baseline) vs MessagePack, serializing into a reused writer and
/// deserializing from a sequence, for the three object sizes. Payload sizes: <c>payload-sizes</c> mode.
/// </summary>
[NoRedis]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
public class SerializerBenchmarks
{
    private readonly ArrayBufferWriter<byte> _writer = new(512 * 1024);
    private Order _order = null!;
    private ReadOnlySequence<byte> _json;
    private ReadOnlySequence<byte> _messagePack;

    [Params("small", "medium", "large")]
    public string Size { get; set; } = "medium";

    [GlobalSetup]
    public void Setup()
    {
        _order = Order.Create(Size);
        _json = new ReadOnlySequence<byte>(Payloads.JsonOf(Size));
        _messagePack = new ReadOnlySequence<byte>(Payloads.MessagePackOf(Size));
    }

    [Benchmark(Baseline = true)]
    [BenchmarkCategory("Serialize")]
    public int Stj_Serialize()
    {
        _writer.ResetWrittenCount();
        Payloads.Json.Serialize(_order, _writer);
        return _writer.WrittenCount;
    }

    [Benchmark]
    [BenchmarkCategory("Serialize")]
    public int MessagePack_Serialize()
    {
        _writer.ResetWrittenCount();
        Payloads.MsgPack.Serialize(_order, _writer);
        return _writer.WrittenCount;
    }

    [Benchmark(Baseline = true)]
    [BenchmarkCategory("Deserialize")]
    public Order Stj_Deserialize() => Payloads.Json.Deserialize(_json);

    [Benchmark]
    [BenchmarkCategory("Deserialize")]
    public Order MessagePack_Deserialize() => Payloads.MsgPack.Deserialize(_messagePack);
}
