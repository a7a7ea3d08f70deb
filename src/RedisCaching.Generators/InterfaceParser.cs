using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;

namespace RedisCaching.Generators;

/// <summary>Reads an interface with [Cached]/[CacheInvalidate] members into an <see cref="InterfaceModel"/> and its diagnostics.</summary>
internal static class InterfaceParser
{
    public const string CachedAttribute = "RedisCaching.CachedAttribute";
    public const string InvalidateAttribute = "RedisCaching.CacheInvalidateAttribute";

    public static ParseResult Parse(GeneratorAttributeSyntaxContext context, string attributeShortName, CancellationToken cancellationToken)
    {
        var method = (IMethodSymbol)context.TargetSymbol;
        var type = method.ContainingType;
        if (type.TypeKind != TypeKind.Interface)
        {
            var location = context.Attributes.FirstOrDefault()?.ApplicationSyntaxReference?.GetSyntax(cancellationToken).GetLocation() ?? method.Locations.FirstOrDefault();
            return new ParseResult(null, new EquatableArray<DiagnosticInfo>([
                DiagnosticInfo.Create(Diagnostics.NotInterfaceMember, location, attributeShortName, type.Name + "." + method.Name)]));
        }

        return ParseInterface(type, cancellationToken);
    }

    private static ParseResult ParseInterface(INamedTypeSymbol type, CancellationToken cancellationToken)
    {
        var diagnostics = new List<DiagnosticInfo>();
        var reason = UnsupportedReason(type);
        if (reason is not null)
        {
            diagnostics.Add(DiagnosticInfo.Create(Diagnostics.UnsupportedInterface, type.Locations.FirstOrDefault(), type.ToDisplayString(), reason));
            return new ParseResult(null, new EquatableArray<DiagnosticInfo>([.. diagnostics]));
        }

        var writer = new MemberWriter(type, diagnostics);
        foreach (var declaring in new[] { type }.Concat(type.AllInterfaces))
        {
            foreach (var member in declaring.GetMembers())
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (member.IsStatic || !(member.IsAbstract || member.IsVirtual))
                {
                    continue;
                }

                switch (member)
                {
                    case IMethodSymbol { MethodKind: MethodKind.Ordinary } method:
                        writer.Method(declaring, method);
                        break;
                    case IPropertySymbol property:
                        writer.Property(declaring, property);
                        break;
                    case IEventSymbol @event:
                        writer.Event(declaring, @event);
                        break;
                }
            }
        }

        var ns = type.ContainingNamespace.IsGlobalNamespace ? null : type.ContainingNamespace.ToDisplayString();
        var model = new InterfaceModel(
            type.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat),
            ns,
            type.ToDisplayString(MemberWriter.TypeFormat),
            DecoratorName(type),
            new EquatableArray<string>([.. writer.Fields]),
            new EquatableArray<string>([.. writer.Members]));
        return new ParseResult(model, new EquatableArray<DiagnosticInfo>([.. diagnostics]));
    }

    private static string? UnsupportedReason(INamedTypeSymbol type)
    {
        if (type.IsGenericType)
        {
            return "generic interfaces are not supported (their registrations are open generics, which cannot be decorated without reflection)";
        }

        for (var current = type; current is not null; current = current.ContainingType)
        {
            if (current.DeclaredAccessibility is not (Accessibility.Public or Accessibility.Internal or Accessibility.ProtectedOrInternal))
            {
                return $"'{current.Name}' is {current.DeclaredAccessibility.ToString().ToLowerInvariant()}; the decorator, a class of the same namespace, must be able to see the interface (make it public or internal)";
            }
        }

        return null;
    }

    /// <summary><c>IFeatureService</c> → <c>FeatureServiceCachingDecorator</c>; nested ones are prefixed with their containing types.</summary>
    private static string DecoratorName(INamedTypeSymbol type)
    {
        var name = type.Name.Length > 1 && type.Name[0] == 'I' && char.IsUpper(type.Name[1]) ? type.Name.Substring(1) : type.Name;
        for (var outer = type.ContainingType; outer is not null; outer = outer.ContainingType)
        {
            name = outer.Name + "_" + name;
        }

        return name + "CachingDecorator";
    }
}
