using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using Microsoft.CodeAnalysis;

namespace RedisCaching.Generators;

/// <summary>
/// Renders the decorator's members as explicit interface implementations: [Cached] methods read through
/// <c>ICache.GetOrSetAsync</c>, [CacheInvalidate] methods remove their keys and tags after the inner call, everything
/// else (and any attributed method with an error) forwards to the inner service.
/// </summary>
internal sealed class MemberWriter(INamedTypeSymbol decorated, List<DiagnosticInfo> diagnostics)
{
    public static readonly SymbolDisplayFormat TypeFormat = SymbolDisplayFormat.FullyQualifiedFormat
        .AddMiscellaneousOptions(SymbolDisplayMiscellaneousOptions.IncludeNullableReferenceTypeModifier);

    private const string Indent = "    ";
    private const string CacheResult = "global::RedisCaching.CacheResult";
    private const string ValueTask = "global::System.Threading.Tasks.ValueTask";
    private static readonly HashSet<string> ReservedTupleNames = ["Rest", "ToString", "GetHashCode", "Equals", "GetType", "CompareTo", "Service"];

    private readonly HashSet<string> _fieldNames = [];

    public List<string> Fields { get; } = [];

    public List<string> Members { get; } = [];

    public void Method(INamedTypeSymbol declaring, IMethodSymbol method)
    {
        var cached = Find(method, InterfaceParser.CachedAttribute);
        var invalidate = Find(method, InterfaceParser.InvalidateAttribute);
        var rendered = (cached, invalidate) switch
        {
            (null, null) => null,
            (not null, not null) => Report(Diagnostics.BothAttributes, method, KeyTemplate.MethodName(method)),
            (not null, _) => CachedMethod(declaring, method, cached),
            _ => InvalidatingMethod(declaring, method, invalidate!),
        };
        Members.Add(rendered ?? ForwardingMethod(declaring, method));
    }

    public void Property(INamedTypeSymbol declaring, IPropertySymbol property)
    {
        var target = Target(declaring);
        var access = property.IsIndexer ? $"{target}[{Arguments(property.Parameters)}]" : $"{target}.{KeyTemplate.Identifier(property.Name)}";
        var name = property.IsIndexer ? $"this[{Parameters(property.Parameters)}]" : KeyTemplate.Identifier(property.Name);
        var reference = property.ReturnsByRef ? "ref " : property.ReturnsByRefReadonly ? "ref readonly " : string.Empty;
        var text = new StringBuilder();
        text.Append(Indent).Append(reference).Append(property.Type.ToDisplayString(TypeFormat)).Append(' ')
            .Append(Interface(declaring)).Append('.').Append(name).Append(" {");
        if (property.GetMethod is not null)
        {
            text.Append(" get => ").Append(reference.Length > 0 ? "ref " : string.Empty).Append(access).Append(';');
        }

        if (property.SetMethod is { IsInitOnly: true })
        {
            text.Append(" init => throw new global::System.NotSupportedException(\"An init-only property cannot be set through a decorator.\");");
        }
        else if (property.SetMethod is not null)
        {
            text.Append(" set => ").Append(access).Append(" = value;");
        }

        Members.Add(text.Append(" }").ToString());
    }

    public void Event(INamedTypeSymbol declaring, IEventSymbol @event)
    {
        var access = $"{Target(declaring)}.{KeyTemplate.Identifier(@event.Name)}";
        Members.Add($"{Indent}event {@event.Type.ToDisplayString(TypeFormat)} {Interface(declaring)}.{KeyTemplate.Identifier(@event.Name)} {{ add => {access} += value; remove => {access} -= value; }}");
    }

    private string ForwardingMethod(INamedTypeSymbol declaring, IMethodSymbol method)
    {
        var reference = method.ReturnsByRef ? "ref " : method.ReturnsByRefReadonly ? "ref readonly " : string.Empty;
        return $"{Indent}{reference}{Signature(declaring, method)} => {(reference.Length > 0 ? "ref " : string.Empty)}{Call(Target(declaring), method, null)};";
    }

    private string? CachedMethod(INamedTypeSymbol declaring, IMethodSymbol method, AttributeData attribute)
    {
        var name = KeyTemplate.MethodName(method);
        var location = AttributeLocation(attribute, method);
        var returnKind = TaskKind(method.ReturnType);
        if (returnKind is not (TaskShape.TaskOfT or TaskShape.ValueTaskOfT))
        {
            return Report(Diagnostics.UnsupportedCachedReturn, method, name, method.ReturnType.ToDisplayString());
        }

        if (!CheckParameters(method))
        {
            return null;
        }

        var key = Named<string>(attribute, "Key");
        var keyExpression = key is null ? KeyTemplate.RenderDefault(method, location, diagnostics) : KeyTemplate.Render(key, "key", method, location, diagnostics);
        var options = Options(method, attribute, location, out var optionsOk);
        if (keyExpression is null || !optionsOk)
        {
            return null;
        }

        // Without its type arguments in the key, Load<int>(1) and Load<string>(1) would share an entry.
        var missing = method.TypeParameters.FirstOrDefault(t => !keyExpression.Contains(KeyTemplate.TypeNameExpression(t)));
        if (missing is not null)
        {
            return Report(Diagnostics.GenericCachedMethod, method, name, missing.Name);
        }

        var result = ((INamedTypeSymbol)method.ReturnType).TypeArguments[0];
        var resultType = result.ToDisplayString(TypeFormat);
        var returnType = method.ReturnType.ToDisplayString(TypeFormat);
        var stateParameters = method.Parameters.Where(static p => !KeyTemplate.IsCancellationToken(p.Type)).ToList();
        var names = TupleNames(stateParameters);
        string stateType;
        string stateValue;
        string service;
        var serviceType = declaring.ToDisplayString(TypeFormat);
        if (stateParameters.Count == 0)
        {
            stateType = serviceType;
            stateValue = "_inner";
            service = "state";
        }
        else
        {
            stateType = "(" + serviceType + " Service, " + string.Join(", ", stateParameters.Select(p => p.Type.ToDisplayString(TypeFormat) + " " + names[p.Name])) + ")";
            stateValue = "(_inner, " + string.Join(", ", stateParameters.Select(p => KeyTemplate.Identifier(p.Name))) + ")";
            service = "state.Service";
        }

        var innerCall = Call(service, method, p => KeyTemplate.IsCancellationToken(p.Type) ? "cancellationToken" : "state." + names[p.Name]);
        var cacheNull = Named<bool>(attribute, "CacheNull");
        var canBeNull = result.IsReferenceType || result.TypeKind == TypeKind.TypeParameter || result.OriginalDefinition.SpecialType == SpecialType.System_Nullable_T;
        var pending = Unique("pending", method);
        var token = method.Parameters.FirstOrDefault(static p => KeyTemplate.IsCancellationToken(p.Type)) is { } ct ? KeyTemplate.Identifier(ct.Name) : "default";
        var completed = returnKind == TaskShape.TaskOfT
            ? $"global::System.Threading.Tasks.Task.FromResult<{resultType}>({pending}.Result.Value)"
            : $"new {returnType}({pending}.Result.Value)";

        var text = new StringBuilder();
        text.Append(Indent).Append(Signature(declaring, method)).AppendLine();
        text.Append(Indent).AppendLine("{");
        text.Append(Indent).Append(Indent).Append("var ").Append(pending).Append(" = _cache.GetOrSetAsync<").Append(stateType).Append(", ").Append(resultType).AppendLine(">(");
        var argIndent = Indent + Indent + Indent;
        text.Append(argIndent).Append(keyExpression).AppendLine(",");
        text.Append(argIndent).Append(stateValue).AppendLine(",");
        if (!cacheNull && canBeNull)
        {
            // A null result is returned to the caller but not stored (CachedAttribute.CacheNull opts in).
            var suppress = result.NullableAnnotation == NullableAnnotation.Annotated || result.OriginalDefinition.SpecialType == SpecialType.System_Nullable_T ? string.Empty : "!";
            text.Append(argIndent).AppendLine("static async (state, context, cancellationToken) =>");
            text.Append(argIndent).AppendLine("{");
            text.Append(argIndent).Append(Indent).Append("var value = await ").Append(innerCall).AppendLine(".ConfigureAwait(false);");
            text.Append(argIndent).Append(Indent).AppendLine("context.DoNotCache = value is null;");
            text.Append(argIndent).Append(Indent).Append("return value").Append(suppress).AppendLine(";");
            text.Append(argIndent).AppendLine("},");
        }
        else if (TaskKind(method.ReturnType) == TaskShape.ValueTaskOfT)
        {
            text.Append(argIndent).Append("static (state, _, cancellationToken) => ").Append(innerCall).AppendLine(",");
        }
        else
        {
            text.Append(argIndent).Append("static (state, _, cancellationToken) => new ").Append(ValueTask).Append('<').Append(resultType).Append(">(").Append(innerCall).AppendLine("),");
        }

        text.Append(argIndent).Append(options).AppendLine(",");
        text.Append(argIndent).Append(token).AppendLine(");");
        text.Append(Indent).Append(Indent).Append("return ").Append(pending).Append(".IsCompletedSuccessfully ? ").Append(completed).Append(" : Await(").Append(pending).AppendLine(");");
        text.AppendLine();
        text.Append(Indent).Append(Indent).Append("static async ").Append(returnType).Append(" Await(").Append(ValueTask).Append('<').Append(CacheResult).Append('<').Append(resultType)
            .AppendLine(">> pending) => (await pending.ConfigureAwait(false)).Value;");
        text.Append(Indent).Append('}');
        return text.ToString();
    }

    private string? InvalidatingMethod(INamedTypeSymbol declaring, IMethodSymbol method, AttributeData attribute)
    {
        var name = KeyTemplate.MethodName(method);
        var location = AttributeLocation(attribute, method);
        var returnKind = TaskKind(method.ReturnType);
        if (returnKind == TaskShape.None)
        {
            return Report(Diagnostics.UnsupportedInvalidateReturn, method, name, method.ReturnType.ToDisplayString());
        }

        if (!CheckParameters(method))
        {
            return null;
        }

        var keys = NamedArray(attribute, "Keys");
        var tags = NamedArray(attribute, "Tags");
        if (keys.Count == 0 && tags.Count == 0)
        {
            diagnostics.Add(DiagnosticInfo.Create(Diagnostics.NothingToInvalidate, location, name));
        }

        var removals = new List<string>();
        var ok = true;
        foreach (var key in keys)
        {
            var expression = KeyTemplate.Render(key, "key", method, location, diagnostics);
            ok &= expression is not null;
            removals.Add($"await _cache.RemoveAsync({expression}, global::System.Threading.CancellationToken.None).ConfigureAwait(false);");
        }

        foreach (var tag in tags)
        {
            var expression = KeyTemplate.Render(tag, "tag", method, location, diagnostics);
            ok &= expression is not null;
            removals.Add($"await _cache.RemoveByTagAsync({expression}, global::System.Threading.CancellationToken.None).ConfigureAwait(false);");
        }

        if (!ok)
        {
            return null;
        }

        var hasResult = returnKind is TaskShape.TaskOfT or TaskShape.ValueTaskOfT;
        var result = Unique("result", method);
        var body = Indent + Indent;
        var text = new StringBuilder();
        text.Append(Indent).Append("async ").Append(Signature(declaring, method)).AppendLine();
        text.Append(Indent).AppendLine("{");
        text.Append(body).Append(hasResult ? $"var {result} = " : string.Empty).Append("await ").Append(Call(Target(declaring), method, null)).AppendLine(".ConfigureAwait(false);");
        text.Append(body).AppendLine("// The change is made: its entries go even if the caller has given up waiting.");
        foreach (var removal in removals)
        {
            text.Append(body).AppendLine(removal);
        }

        if (hasResult)
        {
            text.Append(body).Append("return ").Append(result).AppendLine(";");
        }

        return text.Append(Indent).Append('}').ToString();
    }

    /// <summary>Shared entry options: a static field when every part is constant, else built per call; "null" for none.</summary>
    private string Options(IMethodSymbol method, AttributeData attribute, Location? location, out bool ok)
    {
        ok = true;
        var parts = new List<string>();
        var constant = true;
        if (Named<string>(attribute, "Profile") is { } profile)
        {
            parts.Add("Profile = " + Microsoft.CodeAnalysis.CSharp.SymbolDisplay.FormatLiteral(profile, quote: true));
        }

        if (Named<string>(attribute, "Expiration") is { } expiration)
        {
            if (!System.TimeSpan.TryParseExact(expiration, "c", CultureInfo.InvariantCulture, out var span) || span <= System.TimeSpan.Zero)
            {
                diagnostics.Add(DiagnosticInfo.Create(Diagnostics.InvalidExpiration, location, expiration, KeyTemplate.MethodName(method)));
                ok = false;
            }
            else
            {
                parts.Add("Expiration = " + (span.Ticks % System.TimeSpan.TicksPerSecond == 0
                    ? $"global::System.TimeSpan.FromSeconds({(span.Ticks / System.TimeSpan.TicksPerSecond).ToString(CultureInfo.InvariantCulture)})"
                    : $"global::System.TimeSpan.FromTicks({span.Ticks.ToString(CultureInfo.InvariantCulture)}L)"));
            }
        }

        var tags = NamedArray(attribute, "Tags");
        if (tags.Count > 0)
        {
            var rendered = new List<string>();
            foreach (var tag in tags)
            {
                var expression = KeyTemplate.Render(tag, "tag", method, location, diagnostics);
                ok &= expression is not null;
                constant &= expression is not null && expression.StartsWith("\"", System.StringComparison.Ordinal);
                rendered.Add(expression ?? "null");
            }

            parts.Add("Tags = new string[] { " + string.Join(", ", rendered) + " }");
        }

        if (!ok || parts.Count == 0)
        {
            return "null";
        }

        var creation = "new global::RedisCaching.CacheEntryOptions { " + string.Join(", ", parts) + " }";
        if (!constant)
        {
            return creation;
        }

        var field = method.Name + "Options";
        for (var n = 2; !_fieldNames.Add(field); n++)
        {
            field = method.Name + "Options" + n.ToString(CultureInfo.InvariantCulture);
        }

        Fields.Add($"{Indent}private static readonly global::RedisCaching.CacheEntryOptions {field} = {creation};");
        return field;
    }

    private bool CheckParameters(IMethodSymbol method)
    {
        var ok = true;
        foreach (var parameter in method.Parameters.Where(static p => p.RefKind != RefKind.None))
        {
            var kind = parameter.RefKind switch { RefKind.Ref => "ref", RefKind.Out => "out", RefKind.In => "in", _ => "ref readonly" };
            diagnostics.Add(DiagnosticInfo.Create(Diagnostics.RefParameter, parameter.Locations.FirstOrDefault(), KeyTemplate.MethodName(method), kind, parameter.Name));
            ok = false;
        }

        return ok;
    }

    private string? Report(DiagnosticDescriptor descriptor, IMethodSymbol method, params string[] arguments)
    {
        diagnostics.Add(DiagnosticInfo.Create(descriptor, method.Locations.FirstOrDefault(), arguments));
        return null;
    }

    private static string Interface(INamedTypeSymbol declaring) => declaring.ToDisplayString(TypeFormat);

    /// <summary>The inner service as the declaring interface (a cast for inherited members, so hidden ones bind right).</summary>
    private string Target(INamedTypeSymbol declaring) =>
        SymbolEqualityComparer.Default.Equals(declaring, decorated) ? "_inner" : $"(({Interface(declaring)})_inner)";

    private static string Signature(INamedTypeSymbol declaring, IMethodSymbol method) =>
        $"{method.ReturnType.ToDisplayString(TypeFormat)} {Interface(declaring)}.{KeyTemplate.Identifier(method.Name)}{TypeParameters(method)}({Parameters(method.Parameters)}){ImplementationConstraints(method)}";

    /// <summary>
    /// An explicit implementation inherits its constraints but may (and for <c>T?</c> must) say whether T is a
    /// reference type, a value type or neither (<c>default</c>): without it <c>T?</c> would mean <c>Nullable&lt;T&gt;</c>.
    /// </summary>
    private static string ImplementationConstraints(IMethodSymbol method)
    {
        var text = new StringBuilder();
        foreach (var typeParameter in method.TypeParameters)
        {
            var constraint =
                typeParameter.HasValueTypeConstraint || typeParameter.HasUnmanagedTypeConstraint ? "struct"
                : typeParameter.HasReferenceTypeConstraint || typeParameter.ConstraintTypes.Any(static t => t.TypeKind == TypeKind.Class) ? "class"
                : "default";
            if (constraint is not null)
            {
                text.Append(" where ").Append(KeyTemplate.Identifier(typeParameter.Name)).Append(" : ").Append(constraint);
            }
        }

        return text.ToString();
    }

    private static string Call(string target, IMethodSymbol method, System.Func<IParameterSymbol, string>? argument) =>
        $"{target}.{KeyTemplate.Identifier(method.Name)}{TypeParameters(method)}({(argument is null ? Arguments(method.Parameters) : string.Join(", ", method.Parameters.Select(argument)))})";

    private static string TypeParameters(IMethodSymbol method) =>
        method.IsGenericMethod ? "<" + string.Join(", ", method.TypeParameters.Select(static t => KeyTemplate.Identifier(t.Name))) + ">" : string.Empty;

    private static string Parameters(IEnumerable<IParameterSymbol> parameters) =>
        string.Join(", ", parameters.Select(static p => RefPrefix(p.RefKind, declaration: true) + p.Type.ToDisplayString(TypeFormat) + " " + KeyTemplate.Identifier(p.Name)));

    private static string Arguments(IEnumerable<IParameterSymbol> parameters) =>
        string.Join(", ", parameters.Select(static p => RefPrefix(p.RefKind, declaration: false) + KeyTemplate.Identifier(p.Name)));

    private static string RefPrefix(RefKind kind, bool declaration) => kind switch
    {
        RefKind.Ref => "ref ",
        RefKind.Out => "out ",
        RefKind.In => "in ",
        RefKind.None => string.Empty,
        _ => declaration ? "ref readonly " : "in ",
    };

    private static Dictionary<string, string> TupleNames(List<IParameterSymbol> parameters)
    {
        var names = new Dictionary<string, string>();
        foreach (var parameter in parameters)
        {
            var reserved = ReservedTupleNames.Contains(parameter.Name) || (parameter.Name.StartsWith("Item", System.StringComparison.Ordinal) && parameter.Name.Length > 4 && char.IsDigit(parameter.Name[4]));
            names[parameter.Name] = reserved ? "Arg" + parameter.Name : KeyTemplate.Identifier(parameter.Name);
        }

        return names;
    }

    private static string Unique(string name, IMethodSymbol method)
    {
        while (method.Parameters.Any(p => p.Name == name))
        {
            name += "_";
        }

        return name;
    }

    private static AttributeData? Find(IMethodSymbol method, string attribute) =>
        method.GetAttributes().FirstOrDefault(a => a.AttributeClass?.ToDisplayString() == attribute);

    private static Location? AttributeLocation(AttributeData attribute, IMethodSymbol method) =>
        attribute.ApplicationSyntaxReference?.GetSyntax().GetLocation() ?? method.Locations.FirstOrDefault();

    private static T? Named<T>(AttributeData attribute, string name)
    {
        foreach (var argument in attribute.NamedArguments)
        {
            if (argument.Key == name && argument.Value.Value is T value)
            {
                return value;
            }
        }

        return default;
    }

    private static List<string?> NamedArray(AttributeData attribute, string name)
    {
        foreach (var argument in attribute.NamedArguments)
        {
            if (argument.Key == name && argument.Value.Kind == TypedConstantKind.Array && !argument.Value.IsNull)
            {
                return [.. argument.Value.Values.Select(static v => v.Value as string)];
            }
        }

        return [];
    }

    private static TaskShape TaskKind(ITypeSymbol type)
    {
        if (type is not INamedTypeSymbol named || named.ContainingNamespace?.ToDisplayString() != "System.Threading.Tasks")
        {
            return TaskShape.None;
        }

        return (named.Name, named.TypeArguments.Length) switch
        {
            ("Task", 0) => TaskShape.Task,
            ("ValueTask", 0) => TaskShape.ValueTask,
            ("Task", 1) => TaskShape.TaskOfT,
            ("ValueTask", 1) => TaskShape.ValueTaskOfT,
            _ => TaskShape.None,
        };
    }

    private enum TaskShape
    {
        None,
        Task,
        ValueTask,
        TaskOfT,
        ValueTaskOfT,
    }
}
