using System;
using System.Buffers.Binary;
using StackExchange.Redis;

namespace RedisCaching.Internal.Engine;

/// <summary>
/// When an entry's SET may land. A plain write always does. A fill (a get-or-set's factory value) must not overwrite a
/// write it did not see: after its read found no key it is a <c>SET NX</c>; after its read found an entry it could
/// not use (expired, unreadable, removed by tag) it replaces exactly those bytes; a refresh replaces only the entry
/// it refreshes (same creation time in the header). Scripts compare first (RedisCache.Replace.cs). Every conditional
/// write also lands when the key is gone.
/// </summary>
internal readonly struct WriteCondition
{
    private WriteCondition(WriteConditionKind kind, When when, byte[]? expected)
    {
        Kind = kind;
        When = when;
        Expected = expected;
    }

    /// <summary>A plain write (also the default value).</summary>
    public static WriteCondition Always => default;

    /// <summary>Only while the key does not exist.</summary>
    public static WriteCondition IfAbsent => new(WriteConditionKind.Plain, When.NotExists, null);

    public WriteConditionKind Kind { get; }

    /// <summary>What a plain SET is told; a scripted condition falls back to <see cref="When.Always"/> where scripts are refused.</summary>
    public When When { get; }

    /// <summary>What the key must still hold: the whole entry, or the 8 bytes of its creation time; null for a plain SET.</summary>
    public byte[]? Expected { get; }

    /// <summary>Only while the key still holds <paramref name="held"/>, or holds nothing.</summary>
    public static WriteCondition IfStillHolding(byte[] held) => new(WriteConditionKind.StillHolding, When.Always, held);

    /// <summary>Only while the key holds the entry created at <paramref name="createdAtUnixMs"/> (header bytes 9-16), or holds nothing.</summary>
    public static WriteCondition IfCreatedAt(long createdAtUnixMs)
    {
        var expected = new byte[sizeof(long)];
        BinaryPrimitives.WriteInt64LittleEndian(expected, createdAtUnixMs);
        return new(WriteConditionKind.CreatedAt, When.Always, expected);
    }
}
