using System;
using ZstdSharp.Unsafe;

namespace RedisCaching.Serialization.Internal;

/// <summary>
/// A trained zstd dictionary digested once for compression (at one level) and once for decompression. Both digests
/// are read-only, so every pooled context references the same ones.
/// </summary>
internal sealed unsafe class ZstdSharedDictionary : IDisposable
{
    private ZSTD_CDict_s* _compression;
    private ZSTD_DDict_s* _decompression;

    public ZstdSharedDictionary(ReadOnlySpan<byte> dictionary, int level)
    {
        fixed (byte* dict = dictionary)
        {
            Id = Methods.ZSTD_getDictID_fromDict(dict, (nuint)dictionary.Length);
            if (Id == 0)
            {
                // Raw-content dictionaries carry no id, so a frame compressed with another one could not be told apart.
                throw new ArgumentException(
                    "The zstd dictionary has no dictionary id. Use a dictionary trained by zstd (zstd --train, or ZstdSharp's DictBuilder): its id is recorded in every frame, so an entry compressed with another dictionary is rejected instead of decoded to garbage.",
                    nameof(dictionary));
            }

            _compression = Methods.ZSTD_createCDict(dict, (nuint)dictionary.Length, level);
            _decompression = Methods.ZSTD_createDDict(dict, (nuint)dictionary.Length);
        }

        if (_compression == null || _decompression == null)
        {
            Dispose();
            throw new ArgumentException("zstd could not load the dictionary; is it a zstd dictionary?", nameof(dictionary));
        }
    }

    ~ZstdSharedDictionary() => Free();

    /// <summary>The dictionary id every frame compressed with it records.</summary>
    public uint Id { get; }

    public ZSTD_CDict_s* CompressionDictionary => _compression;

    public ZSTD_DDict_s* DecompressionDictionary => _decompression;

    public void Dispose()
    {
        Free();
        GC.SuppressFinalize(this);
    }

    private void Free()
    {
        if (_compression != null)
        {
            Methods.ZSTD_freeCDict(_compression);
            _compression = null;
        }

        if (_decompression != null)
        {
            Methods.ZSTD_freeDDict(_decompression);
            _decompression = null;
        }
    }
}
