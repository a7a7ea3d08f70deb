using System.Buffers;
using System.Text;

namespace RedisCaching.Core.Tests.Payload;

/// <summary>
/// A second format for cross-reading tests: strings stored upper-cased (so a value read through the wrong format
/// would show), id 64 (the first app id) unless a test asks for another.
/// </summary>
internal sealed class UpperCaseStringProvider(byte id = 64) : ICacheSerializerProvider
{
    public byte Id => id;

    public string Name => "upper";

    public ICacheSerializer<T> GetSerializer<T>() => typeof(T) == typeof(string)
        ? (ICacheSerializer<T>)(object)new Serializer()
        : throw new System.NotSupportedException($"The 'upper' test format stores only strings, not {typeof(T)}.");

    private sealed class Serializer : ICacheSerializer<string>
    {
        public void Serialize(string value, IBufferWriter<byte> target) => target.Write(Encoding.UTF8.GetBytes(value.ToUpperInvariant()));

        public string Deserialize(ReadOnlySequence<byte> source) => Encoding.UTF8.GetString(source.ToArray());
    }
}
