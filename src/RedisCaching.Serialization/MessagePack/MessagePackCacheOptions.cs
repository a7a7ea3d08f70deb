using System;
using MessagePack;

namespace RedisCaching.Serialization;

/// <summary>Settings of <see cref="MessagePackCacheSerializerProvider"/>.</summary>
public sealed class MessagePackCacheOptions
{
    /// <summary>The depth limit of <see cref="MessagePackSecurity.UntrustedData"/>, the default of <see cref="MaximumObjectGraphDepth"/>.</summary>
    public const int DefaultMaximumObjectGraphDepth = 500;

    /// <summary>
    /// The resolver that finds a formatter for each value type. Set it for apps published with Native AOT or trimming:
    /// generate formatters ahead of time with MessagePack's <c>mpc</c> tool (the MessagePack.Generator .NET tool of the
    /// same 2.5 version) and pass a static composite, e.g.
    /// <c>CompositeResolver.Create(GeneratedResolver.Instance, BuiltinResolver.Instance, AttributeFormatterResolver.Instance)</c>;
    /// nothing is then generated at run time. Never include the typeless resolvers: they read type names from the wire,
    /// and are refused. When null, the JIT-only dynamic resolvers are used (attributed contracts, or contractless with
    /// <see cref="AllowContractless"/>), which only the opt-in <c>AddMessagePackSerializer()</c> overload without a
    /// resolver and <see cref="MessagePackCacheSerializerProvider.CreateDynamic"/> allow.
    /// </summary>
    /// <value>The default value is null (the dynamic resolvers, where allowed).</value>
    public IFormatterResolver? Resolver { get; set; }

    /// <summary>
    /// Lets the dynamic resolver serialize types without <c>[MessagePackObject]</c> (public members by name, like
    /// JSON). Off by default: attributed contracts with integer keys are smaller, and a contract only changes when
    /// someone edits its attributes. Used only when <see cref="Resolver"/> is null; an app with its own resolver
    /// composes <c>ContractlessStandardResolver</c> into it instead.
    /// </summary>
    /// <value>The default value is false.</value>
    public bool AllowContractless { get; set; }

    /// <summary>
    /// How deeply nested a payload may be before reading it fails. Cached bytes are treated as untrusted
    /// (<see cref="MessagePackSecurity.UntrustedData"/>: this limit plus collision-resistant hashing of dictionary
    /// keys), because anyone who can write to Redis can write them.
    /// </summary>
    /// <value>The default value is 500 (<see cref="DefaultMaximumObjectGraphDepth"/>).</value>
    public int MaximumObjectGraphDepth { get; set; } = DefaultMaximumObjectGraphDepth;

    /// <summary>Throws when a setting is out of range, with a message that says what to fix.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A setting is out of range.</exception>
    public void Validate()
    {
        if (MaximumObjectGraphDepth < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(MaximumObjectGraphDepth), MaximumObjectGraphDepth, "MaximumObjectGraphDepth must be at least 1 (the default is 500).");
        }
    }
}
