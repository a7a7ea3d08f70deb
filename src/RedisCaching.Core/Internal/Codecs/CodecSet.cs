using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.Extensions.DependencyInjection;
using RedisCaching.Internal.Envelope;

namespace RedisCaching.Internal.Codecs;

/// <summary>
/// Every format, codec and encryptor one cache can use: the built-in ones (JSON; brotli, gzip, zlib) and those the
/// app or RedisCaching's packages registered in DI. Names are what options say; ids are what envelopes record. Two
/// registrations claiming one id or one name fail at start-up: an entry must never be read by a format that did
/// not write it.
/// </summary>
internal sealed class CodecSet
{
    private readonly Dictionary<string, ICacheSerializerProvider> _serializers = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, ICacheCompressor> _compressorsByName = new(StringComparer.OrdinalIgnoreCase);
    private readonly ICacheCompressor?[] _compressorsById = new ICacheCompressor?[256];
    private readonly HashSet<Type> _encryptedTypes;

    public CodecSet(RedisCachingOptions options, IEnumerable<ICacheSerializerProvider> serializers, IEnumerable<ICacheCompressor> compressors, ICacheEncryptor? encryptor)
    {
        ArgumentNullException.ThrowIfNull(options);
        Compression = options.Compression;
        TypeOptions = new Dictionary<Type, CacheTypeOptions>(options.TypeOptions);
        _encryptedTypes = TypeOptions.Where(static t => t.Value.Encrypt == true).Select(static t => t.Key).ToHashSet();
        Encryptor = encryptor;
        var serializerIds = new Dictionary<byte, string> { [SerializerIds.RawBytes] = "raw bytes (built in)" };
        foreach (var provider in serializers.Prepend(new JsonSerializerProvider(options.JsonSerializerOptions)))
        {
            Claim(serializerIds, provider.Id, provider.Name, "serializer");
            if (!_serializers.TryAdd(provider.Name, provider))
            {
                throw new RedisCachingConfigurationException("Serializers", $"Two serializers are named '{provider.Name}'.");
            }
        }

        var compressorIds = new Dictionary<byte, string> { [0] = "none" };
        var builtIn = new ICacheCompressor[]
        {
            new BrotliCacheCompressor(options.Compression.Level),
            DeflateFamilyCompressor.GZip(options.Compression.Level),
            DeflateFamilyCompressor.ZLib(options.Compression.Level),
        };
        foreach (var compressor in builtIn.Concat(compressors))
        {
            Claim(compressorIds, compressor.Id, compressor.Name, "compressor");
            if (string.Equals(compressor.Name, NoCompression, StringComparison.OrdinalIgnoreCase) || !_compressorsByName.TryAdd(compressor.Name, compressor))
            {
                throw new RedisCachingConfigurationException("Compression", $"Two compressors are named '{compressor.Name}' (or one is named '{NoCompression}').");
            }

            _compressorsById[compressor.Id] = compressor;
        }
    }

    /// <summary>What start-up and entry validation say when something asks for encryption and no encryptor is registered.</summary>
    public const string NoEncryptorMessage = "Encrypt needs an ICacheEncryptor: add one with AddValueEncryption() (RedisCaching.Serialization) or register your own.";

    /// <summary>The compression name that turns compression off.</summary>
    public const string NoCompression = "none";

    public CompressionOptions Compression { get; }

    public ICacheEncryptor? Encryptor { get; }

    public IReadOnlyDictionary<Type, CacheTypeOptions> TypeOptions { get; }

    /// <summary>Whether <see cref="CacheTypeOptions.Encrypt"/> is set for <paramref name="type"/> (no lookup when no type asks for it).</summary>
    public bool TypeEncrypts(Type type) => _encryptedTypes.Count > 0 && _encryptedTypes.Contains(type);

    /// <summary>The codecs of one cache from its options and what DI holds.</summary>
    public static CodecSet From(RedisCachingOptions options, IServiceProvider services) => new(
        options,
        services.GetServices<ICacheSerializerProvider>(),
        services.GetServices<ICacheCompressor>(),
        services.GetService<ICacheEncryptor>());

    /// <exception cref="ArgumentException">No format has that name.</exception>
    public ICacheSerializerProvider Serializer(string name) => _serializers.TryGetValue(name, out var provider)
        ? provider
        : throw new ArgumentException($"No serializer is named '{name}'; known: {string.Join(", ", _serializers.Keys)} (MessagePack needs AddMessagePackSerializer() from RedisCaching.Serialization).", nameof(name));

    /// <summary>The codec with that name; null for <c>none</c>.</summary>
    /// <exception cref="ArgumentException">No codec has that name.</exception>
    public ICacheCompressor? Compressor(string name)
    {
        if (string.Equals(name, NoCompression, StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        return _compressorsByName.TryGetValue(name, out var compressor)
            ? compressor
            : throw new ArgumentException($"No compressor is named '{name}'; known: none, {string.Join(", ", _compressorsByName.Keys)} (zstd and lz4 need RedisCaching.Serialization).", nameof(name));
    }

    /// <summary>The codec an entry records; null when this app has none with that id (the entry is then a miss).</summary>
    public ICacheCompressor? CompressorById(byte id) => _compressorsById[id];

    private static void Claim(Dictionary<byte, string> ids, byte id, string name, string what)
    {
        if (ids.TryGetValue(id, out var holder))
        {
            throw new RedisCachingConfigurationException(what, $"The {what} '{name}' claims id {id}, which '{holder}' already has; an id names one format forever.");
        }

        ids[id] = name;
    }
}
