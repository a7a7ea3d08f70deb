using System;
using System.Text;

namespace RedisCaching.Internal.Keys;

/// <summary>
/// The key form of a type (<see cref="CacheKeys.TypeName{T}"/>): its namespace-qualified name, nested types joined by
/// <c>+</c>, each generic argument in braces (<c>System.Collections.Generic.Dictionary{System.String}{System.Int32}</c>),
/// an array as <c>{}</c> (rank 1) or <c>{rank}</c>. Only characters the default key rules allow, no assembly names or
/// versions (an upgrade keeps its keys), and no two types share a form: identifiers never contain braces or <c>+</c>.
/// </summary>
internal static class TypeKeyName
{
    public static string Of(Type type)
    {
        var text = new StringBuilder();
        Append(text, type);
        return text.ToString();
    }

    private static void Append(StringBuilder text, Type type)
    {
        if (type.IsArray)
        {
            Append(text, type.GetElementType()!);
            var rank = type.GetArrayRank();
            text.Append(rank == 1 && type.IsSZArray ? "{}" : "{" + rank + "}");
            return;
        }

        if (type.IsByRef || type.IsPointer)
        {
            Append(text, type.GetElementType()!);
            text.Append(type.IsByRef ? "{ref}" : "{ptr}");
            return;
        }

        AppendName(text, type);
        if (type.IsConstructedGenericType)
        {
            foreach (var argument in type.GenericTypeArguments)
            {
                text.Append('{');
                Append(text, argument);
                text.Append('}');
            }
        }
    }

    private static void AppendName(StringBuilder text, Type type)
    {
        if (type.DeclaringType is { } outer && !type.IsGenericParameter)
        {
            // The outer type's own generic arguments are part of the nested type's arguments; name it bare.
            AppendName(text, outer);
            text.Append('+');
        }
        else if (!string.IsNullOrEmpty(type.Namespace))
        {
            text.Append(type.Namespace).Append('.');
        }

        var name = type.Name;
        var tick = name.IndexOf('`', StringComparison.Ordinal);
        text.Append(tick < 0 ? name : name.AsSpan(0, tick));
    }
}

/// <summary>Computes <see cref="TypeKeyName"/> once per type.</summary>
/// <typeparam name="T">The type.</typeparam>
internal static class TypeKeyName<T>
{
    public static readonly string Value = TypeKeyName.Of(typeof(T));
}
