using System.Diagnostics.CodeAnalysis;
using MessagePack;
using MessagePack.Resolvers;

namespace RedisCaching.Serialization.Internal;

/// <summary>
/// The only place that names MessagePack's dynamic resolvers, which emit formatter code at run time (Reflection.Emit)
/// and so cannot work under Native AOT. Reached only through the opt-in APIs marked like this class's member.
/// </summary>
internal static class DynamicMessagePackResolvers
{
    public const string Reason =
        "MessagePack's dynamic resolvers generate formatters at run time (Reflection.Emit) and reflect over the value types. "
        + "For Native AOT or trimming, generate formatters with mpc and pass the resolver: AddMessagePackSerializer(resolver).";

    /// <summary>Attributed contracts (<c>[MessagePackObject]</c>), or also contractless objects when asked.
    /// Neither is typeless: no type name is ever read from the wire.</summary>
    [RequiresDynamicCode(Reason)]
    [RequiresUnreferencedCode(Reason)]
    public static IFormatterResolver Choose(bool allowContractless) =>
        allowContractless ? ContractlessStandardResolver.Instance : StandardResolver.Instance;
}
