namespace RedisCaching.Internal.Codecs;

/// <summary>
/// How values of <typeparamref name="T"/> are stored under one serializer choice: the serializer and the id the
/// envelope records, plus what the type's own options fix (its codec, its encryption) over any profile.
/// </summary>
/// <typeparam name="T">The value type.</typeparam>
internal sealed class EntryFormat<T>(ICacheSerializer<T> serializer, byte serializerId, CacheTypeOptions? typeOptions, ICacheCompressor? typeCompressor)
{
    public ICacheSerializer<T> Serializer { get; } = serializer;

    public byte SerializerId { get; } = serializerId;

    /// <summary>
    /// The type fingerprint entries of <typeparamref name="T"/> record (<see cref="Envelope.TypeIdentity"/>); 0 for raw
    /// bytes, which record none (every raw type reads every other).
    /// </summary>
    public uint TypeFingerprint { get; } = FormatRegistry.IsRawBytes<T>() ? 0 : Envelope.TypeFingerprint<T>.Value;

    /// <summary>The codec for this write: the type's own when it names one, else the entry's.</summary>
    public ICacheCompressor? CompressorFor(ICacheCompressor? entryCompressor) =>
        typeOptions?.Compression is null ? entryCompressor : typeCompressor;

    /// <summary>Encrypted when the entry's options or the type's ask for it.</summary>
    public bool Encrypts(bool entryEncrypts) => entryEncrypts || typeOptions?.Encrypt == true;

    /// <summary>
    /// How big the last entry of this format was (racy on purpose: a hint). A write rents its buffer at this size, so
    /// an entry is built in one pooled array instead of growing through several (rent, copy, return each time).
    /// </summary>
    public int LastEntryLength { get; set; }
}
