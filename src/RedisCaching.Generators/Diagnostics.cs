using System.Collections.Generic;
using Microsoft.CodeAnalysis;

namespace RedisCaching.Generators;

/// <summary>The generator's diagnostics (RCG001 and up). Errors mean the member is forwarded without caching.</summary>
internal static class Diagnostics
{
    private const string Category = "RedisCaching.Generators";

    public static readonly DiagnosticDescriptor UnsupportedCachedReturn = Error(
        "RCG001",
        "[Cached] method must return Task<T> or ValueTask<T>",
        "[Cached] method '{0}' returns '{1}'; only Task<T> and ValueTask<T> results can be cached (void, synchronous and non-generic Task/ValueTask methods cannot)");

    public static readonly DiagnosticDescriptor RefParameter = Error(
        "RCG002",
        "Cached or invalidating method has a ref, out or in parameter",
        "Method '{0}' has the {1} parameter '{2}'; [Cached] and [CacheInvalidate] methods may not have ref, out or in parameters");

    public static readonly DiagnosticDescriptor UnknownPlaceholder = Error(
        "RCG003",
        "Unknown placeholder in a key or tag template",
        "Placeholder '{{{0}}}' in template \"{1}\" of method '{2}' does not name {3}");

    public static readonly DiagnosticDescriptor NotInterfaceMember = Error(
        "RCG004",
        "[Cached] and [CacheInvalidate] apply to interface methods only",
        "[{0}] on '{1}' has no effect: it applies to methods of an interface, which the generated decorator implements; put it on the interface's method");

    public static readonly DiagnosticDescriptor EmptyKey = Error(
        "RCG005",
        "Key or tag template is empty",
        "The {0} of method '{1}' would be empty; give a non-empty template or remove it");

    public static readonly DiagnosticDescriptor InvalidExpiration = Error(
        "RCG006",
        "Invalid Expiration",
        "Expiration \"{0}\" of method '{1}' is not a positive TimeSpan in constant format, e.g. \"00:05:00\" (5 minutes) or \"1.00:00:00\" (1 day)");

    public static readonly DiagnosticDescriptor NoKeyForm = Error(
        "RCG007",
        "Value has no key form",
        "{0} of method '{1}' has type '{2}', which has no key form (it is not a primitive, string, enum or IFormattable and does not override ToString); {3}");

    public static readonly DiagnosticDescriptor GenericCachedMethod = Error(
        "RCG008",
        "The key of a generic [Cached] method omits a type parameter",
        "The key of generic [Cached] method '{0}' does not include its type parameter '{1}'; add {{{1}}} to the key so each type argument gets its own entries");

    public static readonly DiagnosticDescriptor UnsupportedInterface = Error(
        "RCG009",
        "Interface cannot be decorated",
        "Interface '{0}' cannot get a caching decorator: {1}");

    public static readonly DiagnosticDescriptor MalformedTemplate = Error(
        "RCG010",
        "Malformed key or tag template",
        "Template \"{0}\" of method '{1}' is malformed: {2} (placeholders are {{parameter}}, {{parameter.Member}} or {{parameter:format}}; write {{{{ and }}}} for literal braces)");

    public static readonly DiagnosticDescriptor BothAttributes = Error(
        "RCG011",
        "Method has both [Cached] and [CacheInvalidate]",
        "Method '{0}' has both [Cached] and [CacheInvalidate]; a method either reads through the cache or invalidates it");

    public static readonly DiagnosticDescriptor NothingToInvalidate = new(
        "RCG012",
        "[CacheInvalidate] names no keys or tags",
        "[CacheInvalidate] on method '{0}' names no Keys and no Tags, so it removes nothing",
        Category,
        DiagnosticSeverity.Warning,
        isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor UnsupportedInvalidateReturn = Error(
        "RCG013",
        "[CacheInvalidate] method must be asynchronous",
        "[CacheInvalidate] method '{0}' returns '{1}'; it must return Task, ValueTask, Task<T> or ValueTask<T>");

    private static readonly Dictionary<string, DiagnosticDescriptor> ById = new()
    {
        [UnsupportedCachedReturn.Id] = UnsupportedCachedReturn,
        [RefParameter.Id] = RefParameter,
        [UnknownPlaceholder.Id] = UnknownPlaceholder,
        [NotInterfaceMember.Id] = NotInterfaceMember,
        [EmptyKey.Id] = EmptyKey,
        [InvalidExpiration.Id] = InvalidExpiration,
        [NoKeyForm.Id] = NoKeyForm,
        [GenericCachedMethod.Id] = GenericCachedMethod,
        [UnsupportedInterface.Id] = UnsupportedInterface,
        [MalformedTemplate.Id] = MalformedTemplate,
        [BothAttributes.Id] = BothAttributes,
        [NothingToInvalidate.Id] = NothingToInvalidate,
        [UnsupportedInvalidateReturn.Id] = UnsupportedInvalidateReturn,
    };

    public static Diagnostic ToDiagnostic(DiagnosticInfo info) =>
        Diagnostic.Create(ById[info.Id], info.Location?.ToLocation(), [.. info.Arguments]);

    private static DiagnosticDescriptor Error(string id, string title, string message) =>
        new(id, title, message, Category, DiagnosticSeverity.Error, isEnabledByDefault: true);
}
