using System;
using System.Text;

namespace RedisCaching.Internal.Envelope;

/// <summary>
/// The type fingerprint an envelope records (<see cref="EnvelopeFormat"/>, flag bit 2): FNV-1a (32-bit) of the UTF-8
/// of a type's identity, with 0 (which means "none") replaced by 1. The identity is the namespace-qualified name with
/// generic arguments spelled out recursively, <b>without assembly names or versions</b>, so an app upgrade, a version
/// bump of the assembly that holds the type, or another program with its own copy of the contract keeps reading;
/// renaming the type or its namespace makes old entries misses. <c>Nullable&lt;T&gt;</c> is <c>T</c> (their
/// serialized forms are the same). Examples: <c>System.String</c>, <c>Shop.Order</c>, <c>Shop.Outer+Line</c>,
/// <c>System.Collections.Generic.List`1&lt;Shop.Order&gt;</c>, <c>System.Int32[]</c>.
/// Changing this algorithm turns every stored entry into a miss: tests pin known values.
/// </summary>
internal static class TypeIdentity
{
    private const uint OffsetBasis = 2166136261;
    private const uint Prime = 16777619;

    /// <summary>The identity string of <paramref name="type"/> (see the class remarks).</summary>
    public static string Of(Type type)
    {
        var builder = new StringBuilder();
        Append(builder, type);
        return builder.ToString();
    }

    /// <summary>The fingerprint of <paramref name="identity"/>; never 0.</summary>
    public static uint Fingerprint(string identity)
    {
        var hash = OffsetBasis;
        foreach (var value in Encoding.UTF8.GetBytes(identity))
        {
            hash = (hash ^ value) * Prime;
        }

        return hash == 0 ? 1 : hash;
    }

    private static void Append(StringBuilder builder, Type type)
    {
        if (Nullable.GetUnderlyingType(type) is { } underlying)
        {
            Append(builder, underlying);
            return;
        }

        if (type.IsArray)
        {
            Append(builder, type.GetElementType()!);
            builder.Append(type.IsSZArray ? "[]" : "[" + new string(',', type.GetArrayRank() - 1) + "]");
            return;
        }

        if (type.IsGenericType && !type.IsGenericTypeDefinition)
        {
            var definition = type.GetGenericTypeDefinition();
            builder.Append(definition.FullName ?? definition.Name).Append('<');
            var arguments = type.GetGenericArguments();
            for (var i = 0; i < arguments.Length; i++)
            {
                if (i > 0)
                {
                    builder.Append(',');
                }

                Append(builder, arguments[i]);
            }

            builder.Append('>');
            return;
        }

        builder.Append(type.FullName ?? type.Name);
    }
}
