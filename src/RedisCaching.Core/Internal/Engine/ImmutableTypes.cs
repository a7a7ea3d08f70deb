using System;
using System.ComponentModel;

namespace RedisCaching.Internal.Engine;

/// <summary>
/// Whether values of <typeparamref name="T"/> can be handed to every caller as the same instance: strings,
/// primitives and other BCL value types, enums, and types marked <c>[ImmutableObject(true)]</c>.
/// </summary>
internal static class ImmutableTypes<T>
{
    public static readonly bool IsImmutable = Compute(typeof(T));

    private static bool Compute(Type type)
    {
        var underlying = Nullable.GetUnderlyingType(type) ?? type;
        return underlying == typeof(string)
            || underlying.IsPrimitive
            || underlying.IsEnum
            || underlying == typeof(decimal)
            || underlying == typeof(DateTime)
            || underlying == typeof(DateTimeOffset)
            || underlying == typeof(TimeSpan)
            || underlying == typeof(Guid)
            || underlying == typeof(DateOnly)
            || underlying == typeof(TimeOnly)
            || underlying.IsDefined(typeof(ImmutableObjectAttribute), inherit: false) && IsMarkedImmutable(underlying);
    }

    private static bool IsMarkedImmutable(Type type) =>
        Attribute.GetCustomAttribute(type, typeof(ImmutableObjectAttribute)) is ImmutableObjectAttribute { Immutable: true };
}
