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
        foreach (var provider in serializers)
        {
            RequireAppRange(provider.Id, provider.Name, provider.GetType(), "serializer", ReservedSerializers);
        }

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
        foreach (var compressor in compressors)
        {
            RequireAppRange(compressor.Id, compressor.Name, compressor.GetType(), "compressor", ReservedCompressors);
        }

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

    /// <summary>Ids below this one are RedisCaching's own formats and codecs; an app's start here.</summary>
    public const byte FirstAppId = 64;

    // RedisCaching's formats and codecs that come from DI (the satellite package registers them), by id. Any other DI
    // registration must use an app id, whether or not it came through a builder method that checks it: an id names one
    // format forever, and a later RedisCaching codec would otherwise read an app's entries as its own.
    private static readonly Dictionary<byte, string> ReservedSerializers = new()
    {
        [3] = "RedisCaching.Serialization.MessagePackCacheSerializerProvider",
    };

    private static readonly Dictionary<byte, string> ReservedCompressors = new()
    {
        [4] = "RedisCaching.Serialization.ZstdCacheCompressor",
        [5] = "RedisCaching.Serialization.Lz4CacheCompressor",
    };

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

    private static void RequireAppRange(byte id, string name, Type type, string what, Dictionary<byte, string> reserved)
    {
        if (id >= FirstAppId || (reserved.TryGetValue(id, out var owner) && type.FullName == owner && type.Assembly.GetName().Name == "RedisCaching.Serialization"))
        {
            return;
        }

        throw new RedisCachingConfigurationException(
            what,
            $"The {what} '{name}' ({type.FullName}) claims id {id}, which is in RedisCaching's own range (0-{FirstAppId - 1}); an app's {what}s use ids {FirstAppId}-255.");
    }

    private static void Claim(Dictionary<byte, string> ids, byte id, string name, string what)
    {
        if (ids.TryGetValue(id, out var holder))
        {
            throw new RedisCachingConfigurationException(what, $"The {what} '{name}' claims id {id}, which '{holder}' already has; an id names one format forever.");
        }

        ids[id] = name;
    }
}
