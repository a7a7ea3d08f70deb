using System.Buffers;
using System.Collections.Concurrent;
using RedisCaching.Serialization;

namespace RedisCaching.Benchmarks.Serialization;

/// <summary>The serialized orders every suite works on, built once per process.</summary>
internal static class Payloads
{
    public static readonly SystemTextJsonCacheSerializer<Order> Json = new(OrderJsonContext.Default.Order);

    public static readonly ICacheSerializer<Order> MsgPack =
        MessagePackCacheSerializerProvider.CreateDynamic().GetSerializer<Order>();

    private static readonly ConcurrentDictionary<string, byte[]> JsonBytes = new();
    private static readonly ConcurrentDictionary<string, byte[]> MessagePackBytes = new();

    public static byte[] JsonOf(string size) => JsonBytes.GetOrAdd(size, static s => Write(Json, Order.Create(s)));

    public static byte[] MessagePackOf(string size) => MessagePackBytes.GetOrAdd(size, static s => Write(MsgPack, Order.Create(s)));

    private static byte[] Write(ICacheSerializer<Order> serializer, Order order)
    {
        var writer = new ArrayBufferWriter<byte>();
        serializer.Serialize(order, writer);
        return writer.WrittenSpan.ToArray();
    }
}
