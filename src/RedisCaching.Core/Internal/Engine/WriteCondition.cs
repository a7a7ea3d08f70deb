using StackExchange.Redis;

namespace RedisCaching.Internal.Engine;

/// <summary>
/// When an entry's SET may land. A plain write always does. A fill (a get-or-set's factory value) must not overwrite a
/// write it did not see: after its read found no key it is a <c>SET NX</c>; after its read found an entry it could
/// not use (expired, unreadable, removed by tag) it replaces exactly those bytes, which a script compares first
/// (<see cref="RedisCache"/>, RedisCache.Replace.cs).
/// </summary>
internal readonly struct WriteCondition
{
    private WriteCondition(When when, byte[]? held)
    {
        When = when;
        Held = held;
    }

    /// <summary>A plain write (also the default value).</summary>
    public static WriteCondition Always => default;

    /// <summary>Only while the key does not exist.</summary>
    public static WriteCondition IfAbsent => new(When.NotExists, null);

    /// <summary>What the SET itself is told (<see cref="When.Always"/> when the condition is <see cref="Held"/>).</summary>
    public When When { get; }

    /// <summary>The bytes the key must still hold (or the key must be gone) for the write to land; null for a plain SET.</summary>
    public byte[]? Held { get; }

    /// <summary>Only while the key still holds <paramref name="held"/>, or holds nothing.</summary>
    public static WriteCondition IfStillHolding(byte[] held) => new(When.Always, held);
}
