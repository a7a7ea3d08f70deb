using System.Collections.Generic;
using System.Linq;
using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace RedisCaching.Generators;

/// <summary>
/// Turns a key or tag template (<c>feature:{id}</c>, <c>feature:{feature.Id}</c>, <c>day:{day:yyyyMMdd}</c>) into a
/// C# expression: a string literal when it has no placeholder, else
/// <c>string.Create(CultureInfo.InvariantCulture, $"...")</c>, whose interpolation handler formats each value without
/// boxing it and without reflection.
/// </summary>
internal static class KeyTemplate
{
    private const string Invariant = "global::System.Globalization.CultureInfo.InvariantCulture";

    /// <summary>Renders <paramref name="template"/>; <see langword="null"/> (with diagnostics added) when it cannot be.</summary>
    public static string? Render(string? template, string what, IMethodSymbol method, Location? location, List<DiagnosticInfo> diagnostics)
    {
        var name = MethodName(method);
        if (template is null || template.Trim().Length == 0)
        {
            diagnostics.Add(DiagnosticInfo.Create(Diagnostics.EmptyKey, location, what, name));
            return null;
        }

        var text = new StringBuilder();        // the interpolated string's content
        var literal = new StringBuilder();     // pending literal text, unescaped
        var holes = 0;
        var i = 0;
        while (i < template.Length)
        {
            var c = template[i];
            if ((c == '{' || c == '}') && i + 1 < template.Length && template[i + 1] == c)
            {
                literal.Append(c);
                i += 2;
                continue;
            }

            if (c == '}')
            {
                diagnostics.Add(DiagnosticInfo.Create(Diagnostics.MalformedTemplate, location, template, name, $"'}}' at position {i} closes no placeholder"));
                return null;
            }

            if (c != '{')
            {
                literal.Append(c);
                i++;
                continue;
            }

            var close = template.IndexOf('}', i + 1);
            if (close < 0)
            {
                diagnostics.Add(DiagnosticInfo.Create(Diagnostics.MalformedTemplate, location, template, name, $"'{{' at position {i} is never closed"));
                return null;
            }

            var body = template.Substring(i + 1, close - i - 1);
            var colon = body.IndexOf(':');
            var path = colon < 0 ? body : body.Substring(0, colon);
            var format = colon < 0 ? null : body.Substring(colon + 1);
            if (format is not null && (format.Length == 0 || format.IndexOfAny(['{', '"', '\\']) >= 0))
            {
                diagnostics.Add(DiagnosticInfo.Create(Diagnostics.MalformedTemplate, location, template, name, $"the format of '{{{body}}}' is empty or has a brace, quote or backslash"));
                return null;
            }

            if (method.TypeParameters.FirstOrDefault(t => t.Name == path) is { } typeParameter)
            {
                if (format is not null)
                {
                    diagnostics.Add(DiagnosticInfo.Create(Diagnostics.MalformedTemplate, location, template, name, $"the type placeholder '{{{path}}}' takes no format"));
                    return null;
                }

                FlushLiteral(text, literal);
                text.Append('{').Append(TypeNameExpression(typeParameter)).Append('}');
                holes++;
                i = close + 1;
                continue;
            }

            var expression = ResolvePath(path, method, template, location, diagnostics, out var type);
            if (expression is null)
            {
                return null;
            }

            if (!HasKeyForm(type!))
            {
                diagnostics.Add(DiagnosticInfo.Create(
                    Diagnostics.NoKeyForm, location, $"Placeholder '{{{body}}}'", name, Display(type!), "use one of its members, e.g. {" + path + ".Id}"));
                return null;
            }

            FlushLiteral(text, literal);
            text.Append('{').Append(expression);
            format ??= IsDateLike(type!) ? "O" : null;
            if (format is not null)
            {
                text.Append(':').Append(format);
            }

            text.Append('}');
            holes++;
            i = close + 1;
        }

        if (holes == 0)
        {
            return SymbolDisplay.FormatLiteral(literal.ToString(), quote: true);
        }

        FlushLiteral(text, literal);
        return $"string.Create({Invariant}, $\"{text}\")";
    }

    /// <summary>The key used when [Cached] gives none: <c>IFeatureService.GetFeatureAsync:{id}:{name}</c>.</summary>
    public static string? RenderDefault(IMethodSymbol method, Location? location, List<DiagnosticInfo> diagnostics)
    {
        var template = new StringBuilder();
        template.Append(method.ContainingType.Name).Append('.').Append(method.Name);
        foreach (var typeParameter in method.TypeParameters)
        {
            // Each type argument in braces, as CacheKeys.TypeName writes generic arguments: Load{System.Int32}.
            template.Append("{{{").Append(typeParameter.Name).Append("}}}");
        }

        var ok = true;
        foreach (var parameter in method.Parameters.Where(static p => !IsCancellationToken(p.Type)))
        {
            if (!HasKeyForm(parameter.Type))
            {
                diagnostics.Add(DiagnosticInfo.Create(
                    Diagnostics.NoKeyForm, location, $"Parameter '{parameter.Name}'", MethodName(method), Display(parameter.Type), "give the key as a template, e.g. [Cached(Key = \"...:{" + parameter.Name + ".Id}\")]"));
                ok = false;
                continue;
            }

            template.Append(":{").Append(parameter.Name).Append('}');
        }

        return ok ? Render(template.ToString(), "key", method, location, diagnostics) : null;
    }

    /// <summary>
    /// The expression that formats a method type parameter in a key: <c>CacheKeys.TypeName&lt;T&gt;()</c>, computed once per
    /// type; in parentheses, since an interpolation hole would read <c>global::</c>'s colons as a format.
    /// </summary>
    public static string TypeNameExpression(ITypeParameterSymbol typeParameter) =>
        "(global::RedisCaching.CacheKeys.TypeName<" + Identifier(typeParameter.Name) + ">())";

    public static bool IsCancellationToken(ITypeSymbol type) => type.ToDisplayString() == "System.Threading.CancellationToken";

    public static string MethodName(IMethodSymbol method) => method.ContainingType.Name + "." + method.Name;

    private static void FlushLiteral(StringBuilder text, StringBuilder literal)
    {
        if (literal.Length > 0)
        {
            text.Append(SymbolDisplay.FormatLiteral(literal.ToString(), quote: false).Replace("{", "{{").Replace("}", "}}"));
            literal.Clear();
        }
    }

    private static string? ResolvePath(string path, IMethodSymbol method, string template, Location? location, List<DiagnosticInfo> diagnostics, out ITypeSymbol? type)
    {
        type = null;
        var segments = path.Split('.');
        var parameter = method.Parameters.FirstOrDefault(p => p.Name == segments[0] && p.RefKind == RefKind.None && !IsCancellationToken(p.Type));
        if (parameter is null)
        {
            var what = method.Parameters.Any(p => p.Name == segments[0]) ? $"a parameter that can be part of a key ('{segments[0]}' is a cancellation token or a ref/out/in parameter)" : "a parameter of the method";
            diagnostics.Add(DiagnosticInfo.Create(Diagnostics.UnknownPlaceholder, location, path, template, MethodName(method), what));
            return null;
        }

        var expression = new StringBuilder(Identifier(parameter.Name));
        type = parameter.Type;
        for (var s = 1; s < segments.Length; s++)
        {
            var receiver = type;
            var conditional = false;
            if (receiver is INamedTypeSymbol { OriginalDefinition.SpecialType: SpecialType.System_Nullable_T } nullable)
            {
                receiver = nullable.TypeArguments[0];
                conditional = true;
            }
            else if (receiver.IsReferenceType && receiver.NullableAnnotation != NullableAnnotation.NotAnnotated)
            {
                conditional = true;
            }

            var member = FindMember(receiver, segments[s]);
            if (member is null)
            {
                diagnostics.Add(DiagnosticInfo.Create(
                    Diagnostics.UnknownPlaceholder, location, path, template, MethodName(method), $"a parameter's readable instance property or field ('{Display(receiver)}' has no accessible '{segments[s]}')"));
                return null;
            }

            expression.Append(conditional ? "?." : ".").Append(Identifier(member.Name));
            type = member is IPropertySymbol property ? property.Type : ((IFieldSymbol)member).Type;
        }

        return expression.ToString();
    }

    private static ISymbol? FindMember(ITypeSymbol type, string name)
    {
        IEnumerable<ITypeSymbol> types = type.TypeKind == TypeKind.Interface ? [type, .. type.AllInterfaces] : BaseTypes(type);
        foreach (var candidate in types)
        {
            foreach (var member in candidate.GetMembers(name))
            {
                if (member.IsStatic || !IsAccessible(member))
                {
                    continue;
                }

                if (member is IPropertySymbol { IsIndexer: false, GetMethod: { } getter } && IsAccessible(getter))
                {
                    return member;
                }

                if (member is IFieldSymbol)
                {
                    return member;
                }
            }
        }

        return null;
    }

    private static IEnumerable<ITypeSymbol> BaseTypes(ITypeSymbol type)
    {
        for (var current = type; current is not null; current = current.BaseType)
        {
            yield return current;
        }
    }

    private static bool IsAccessible(ISymbol symbol) =>
        symbol.DeclaredAccessibility is Accessibility.Public or Accessibility.Internal or Accessibility.ProtectedOrInternal;

    /// <summary>Whether a value of the type formats to something that identifies it (not its type name).</summary>
    public static bool HasKeyForm(ITypeSymbol type)
    {
        if (type is INamedTypeSymbol { OriginalDefinition.SpecialType: SpecialType.System_Nullable_T } nullable)
        {
            return HasKeyForm(nullable.TypeArguments[0]);
        }

        switch (type.SpecialType)
        {
            case SpecialType.System_String:
            case SpecialType.System_Boolean:
            case SpecialType.System_Char:
            case SpecialType.System_SByte:
            case SpecialType.System_Byte:
            case SpecialType.System_Int16:
            case SpecialType.System_UInt16:
            case SpecialType.System_Int32:
            case SpecialType.System_UInt32:
            case SpecialType.System_Int64:
            case SpecialType.System_UInt64:
            case SpecialType.System_Decimal:
            case SpecialType.System_Single:
            case SpecialType.System_Double:
            case SpecialType.System_IntPtr:
            case SpecialType.System_UIntPtr:
            case SpecialType.System_DateTime:
                return true;
        }

        if (type.TypeKind == TypeKind.Enum || type.ToDisplayString() == "System.IFormattable" || type.AllInterfaces.Any(static i => i.ToDisplayString() == "System.IFormattable"))
        {
            return true;
        }

        if (type is ITypeParameterSymbol typeParameter)
        {
            // A T constrained to a type with a key form (e.g. where T : IFormattable) formats as that type does.
            return typeParameter.ConstraintTypes.Any(HasKeyForm);
        }

        // A ToString the type's author wrote (a record's generated one prints "Name { Id = 1 }", not a key).
        foreach (var current in BaseTypes(type))
        {
            if (current.SpecialType is SpecialType.System_Object or SpecialType.System_ValueType)
            {
                break;
            }

            if (current.GetMembers("ToString").OfType<IMethodSymbol>().Any(static m => m.IsOverride && m.Parameters.Length == 0 && !m.IsImplicitlyDeclared))
            {
                return true;
            }
        }

        return false;
    }

    private static bool IsDateLike(ITypeSymbol type)
    {
        if (type is INamedTypeSymbol { OriginalDefinition.SpecialType: SpecialType.System_Nullable_T } nullable)
        {
            type = nullable.TypeArguments[0];
        }

        return type.SpecialType == SpecialType.System_DateTime || type.ToDisplayString() == "System.DateTimeOffset";
    }

    public static string Identifier(string name) => SyntaxFacts.GetKeywordKind(name) != SyntaxKind.None ? "@" + name : name;

    private static string Display(ITypeSymbol type) => type.ToDisplayString(SymbolDisplayFormat.CSharpErrorMessageFormat);
}
