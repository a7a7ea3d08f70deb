using System.Buffers;

namespace RedisCaching;

/// <summary>
/// Turns values of <typeparamref name="T"/> into bytes and back. Writes into a pooled buffer and reads from a
/// sequence, so neither direction needs a <c>byte[]</c> of its own.
/// </summary>
/// <typeparam name="T">The value type.</typeparam>
public interface ICacheSerializer<T>
{
    /// <summary>Writes <paramref name="value"/> to <paramref name="target"/>.</summary>
    /// <param name="value">The value.</param>
    /// <param name="target">Where the bytes go.</param>
    void Serialize(T value, IBufferWriter<byte> target);

    /// <summary>Reads a value written by <see cref="Serialize"/>.</summary>
    /// <param name="source">The bytes.</param>
    /// <returns>The value.</returns>
    T Deserialize(ReadOnlySequence<byte> source);
}
