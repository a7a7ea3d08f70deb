using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;

namespace RedisCaching.Generators;

/// <summary>What the pipeline keeps of one interface: its decorator, already rendered, so equal models mean equal output.</summary>
/// <param name="FullName">The interface's fully qualified name (identity for de-duplication).</param>
/// <param name="Namespace">The namespace the decorator goes in; <see langword="null"/> for the global namespace.</param>
/// <param name="InterfaceType">The interface as a type expression (<c>global::N.IFeatureService</c>).</param>
/// <param name="DecoratorName">The decorator's class name.</param>
/// <param name="Fields">Rendered static fields (shared entry options).</param>
/// <param name="Members">Rendered explicit implementations of every member.</param>
internal sealed record InterfaceModel(
    string FullName,
    string? Namespace,
    string InterfaceType,
    string DecoratorName,
    EquatableArray<string> Fields,
    EquatableArray<string> Members)
{
    /// <summary>The decorator as a type expression.</summary>
    public string DecoratorType => Namespace is null ? "global::" + DecoratorName : "global::" + Namespace + "." + DecoratorName;
}

/// <summary>What one attributed method contributes: its interface (when it has one that can be decorated) and diagnostics.</summary>
internal sealed record ParseResult(InterfaceModel? Interface, EquatableArray<DiagnosticInfo> Diagnostics);

/// <summary>A diagnostic without symbols or syntax trees, so it can be cached between runs.</summary>
internal sealed record DiagnosticInfo(string Id, LocationInfo? Location, EquatableArray<string> Arguments)
{
    public static DiagnosticInfo Create(DiagnosticDescriptor descriptor, Location? location, params string[] arguments) =>
        new(descriptor.Id, LocationInfo.From(location), new EquatableArray<string>(arguments));
}

/// <summary>A source location as plain data.</summary>
internal sealed record LocationInfo(string FilePath, TextSpan Span, LinePositionSpan LineSpan)
{
    public static LocationInfo? From(Location? location) =>
        location is null || location.SourceTree is null ? null : new(location.SourceTree.FilePath, location.SourceSpan, location.GetLineSpan().Span);

    public Location ToLocation() => Location.Create(FilePath, Span, LineSpan);
}
