using System;
using System.Collections.Generic;
using System.Linq;
using RedisCaching.Serialization.Encryption;

namespace RedisCaching.Serialization.Tests.Encryption;

/// <summary>Deterministic TEST keys (never use them anywhere else): key n is the bytes n, n+1, …, n+31.</summary>
internal static class TestKeys
{
    public static byte[] Key(int n) => Enumerable.Range(n, CacheEncryptionKeySet.KeySizeInBytes).Select(static i => (byte)i).ToArray();

    public static string Base64(int n) => Convert.ToBase64String(Key(n));

    /// <summary>A key set with keys <paramref name="ids"/> (key id n holds <see cref="Key"/>(n)) and <paramref name="active"/> active.</summary>
    public static CacheEncryptionKeySet Set(ushort active, params ushort[] ids) =>
        new(active, ids.ToDictionary(static id => id, static id => Key(id)));

    /// <summary>Associated data as the engine passes it: the entry's Redis key (and, in the engine, its header).</summary>
    public static byte[] Aad(string redisKey) => System.Text.Encoding.UTF8.GetBytes(redisKey);

    public static byte[] Payload(int length, int seed = 1)
    {
        var payload = new byte[length];
        new Random(seed).NextBytes(payload);
        return payload;
    }

    public static IReadOnlyDictionary<ushort, byte[]> Keys(params (ushort Id, byte[] Key)[] keys) => keys.ToDictionary(static k => k.Id, static k => k.Key);
}
