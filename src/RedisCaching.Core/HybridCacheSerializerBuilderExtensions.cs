using System;
using Microsoft.Extensions.Caching.Hybrid;
using Microsoft.Extensions.DependencyInjection;
using RedisCaching.Internal.Codecs;

namespace RedisCaching;

/// <summary>
/// Plugs serializers written for Microsoft's HybridCache (<see cref="IHybridCacheSerializer{T}"/>,
/// <see cref="IHybridCacheSerializerFactory"/>) into RedisCaching unchanged, as formats with an id and a name.
/// </summary>
public static class HybridCacheSerializerBuilderExtensions
{
    /// <summary>
    /// Stores every <typeparamref name="T"/> with <paramref name="serializer"/> (a per-type choice: it wins over any
    /// profile's serializer).
    /// </summary>
    /// <typeparam name="T">The value type the serializer handles.</typeparam>
    /// <param name="builder">The RedisCaching builder.</param>
    /// <param name="serializer">The HybridCache serializer.</param>
    /// <param name="id">The format id recorded in each entry: 64-255, never reused for another format.</param>
    /// <param name="name">The format's name (what <see cref="CacheTypeOptions.Serializer"/> records).</param>
    /// <returns>The builder.</returns>
    public static IRedisCachingBuilder AddHybridCacheSerializer<T>(this IRedisCachingBuilder builder, IHybridCacheSerializer<T> serializer, byte id, string name)
    {
        ArgumentNullException.ThrowIfNull(serializer);
        Register(builder, new HybridSerializerProvider(CheckedId(id), CheckedName(name), typeof(T), serializer));
        builder.Services.Configure<RedisCachingOptions>(options =>
        {
            options.TypeOptions.TryGetValue(typeof(T), out var existing);
            options.SetTypeOptions<T>((existing ?? new CacheTypeOptions()) with { Serializer = name });
        });
        return builder;
    }

    /// <summary>Adds a format made by a HybridCache serializer factory; profiles and entries choose it by <paramref name="name"/>.</summary>
    /// <param name="builder">The RedisCaching builder.</param>
    /// <param name="factory">The factory; types it declines get a <see cref="NotSupportedException"/> naming them.</param>
    /// <param name="id">The format id recorded in each entry: 64-255, never reused for another format.</param>
    /// <param name="name">The format's name, for <see cref="CacheEntryOptions.Serializer"/>.</param>
    /// <returns>The builder.</returns>
    public static IRedisCachingBuilder AddHybridCacheSerializerFactory(this IRedisCachingBuilder builder, IHybridCacheSerializerFactory factory, byte id, string name)
    {
        ArgumentNullException.ThrowIfNull(factory);
        Register(builder, new HybridSerializerProvider(CheckedId(id), CheckedName(name), null, factory));
        return builder;
    }

    private static void Register(IRedisCachingBuilder builder, HybridSerializerProvider provider)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddSingleton<ICacheSerializerProvider>(provider);
    }

    private static byte CheckedId(byte id) => id >= 64
        ? id
        : throw new ArgumentOutOfRangeException(nameof(id), id, "App formats use ids 64-255; 1-63 are RedisCaching's own.");

    private static string CheckedName(string name) => !string.IsNullOrWhiteSpace(name)
        ? name
        : throw new ArgumentException("A format needs a name.", nameof(name));
}
