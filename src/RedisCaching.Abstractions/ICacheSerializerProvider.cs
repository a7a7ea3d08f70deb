namespace RedisCaching;

/// <summary>
/// A serialization format the cache can record in an entry's envelope (System.Text.Json, MessagePack, …): it makes
/// the <see cref="ICacheSerializer{T}"/> for each value type. Profiles and entries choose one by <see cref="Name"/>;
/// every entry records its <see cref="Id"/>, and a reader whose format differs treats the entry as a miss, so bytes
/// one format wrote are never read by another.
/// </summary>
public interface ICacheSerializerProvider
{
    /// <summary>
    /// The id recorded in every entry this format writes. Never reuse an id for another format: old entries keep it
    /// for their whole life. RedisCaching's own formats use 1-63; an app's own formats use 64-255.
    /// </summary>
    byte Id { get; }

    /// <summary>The name profiles and entries use to choose this format (e.g. <c>json</c>, <c>messagepack</c>); compared case-insensitively.</summary>
    string Name { get; }

    /// <summary>The serializer for <typeparamref name="T"/>, made once per type and kept by the cache.</summary>
    /// <typeparam name="T">The value type.</typeparam>
    /// <returns>The serializer.</returns>
    /// <exception cref="System.NotSupportedException">The format cannot serialize <typeparamref name="T"/>; the message names the type and the reason.</exception>
    ICacheSerializer<T> GetSerializer<T>();
}
