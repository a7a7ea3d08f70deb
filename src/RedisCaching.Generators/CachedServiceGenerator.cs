using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace RedisCaching.Generators;

/// <summary>
/// Emits, for each interface with <c>[Cached]</c> or <c>[CacheInvalidate]</c> methods, a caching decorator that reads
/// through <c>ICache.GetOrSetAsync</c> and evicts after invalidating methods, plus <c>AddCachedServices()</c> on the
/// RedisCaching builder, which wraps the interfaces' registrations in them.
/// </summary>
[Generator(LanguageNames.CSharp)]
public sealed class CachedServiceGenerator : IIncrementalGenerator
{
    /// <summary>Tracking names of the pipeline's steps (for incremental-caching tests).</summary>
    internal const string CachedStep = "Cached";
    internal const string InvalidateStep = "CacheInvalidate";
    internal const string InterfacesStep = "Interfaces";

    /// <inheritdoc/>
    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        var cached = context.SyntaxProvider.ForAttributeWithMetadataName(
                InterfaceParser.CachedAttribute,
                static (node, _) => node is MethodDeclarationSyntax,
                static (ctx, ct) => InterfaceParser.Parse(ctx, "Cached", ct))
            .WithTrackingName(CachedStep);
        var invalidate = context.SyntaxProvider.ForAttributeWithMetadataName(
                InterfaceParser.InvalidateAttribute,
                static (node, _) => node is MethodDeclarationSyntax,
                static (ctx, ct) => InterfaceParser.Parse(ctx, "CacheInvalidate", ct))
            .WithTrackingName(InvalidateStep);

        var results = cached.Collect().Combine(invalidate.Collect())
            .Select(static (pair, _) => Merge(pair.Left.AddRange(pair.Right)))
            .WithTrackingName(InterfacesStep);

        context.RegisterSourceOutput(results.Select(static (r, _) => r.Diagnostics), static (spc, diagnostics) =>
        {
            foreach (var diagnostic in diagnostics)
            {
                spc.ReportDiagnostic(Diagnostics.ToDiagnostic(diagnostic));
            }
        });

        var interfaces = results.SelectMany(static (r, _) => r.Interfaces);
        context.RegisterSourceOutput(interfaces, static (spc, model) => spc.AddSource(SourceEmitter.HintName(model), SourceEmitter.Decorator(model)));

        var hasBuilder = context.CompilationProvider.Select(static (c, _) => c.GetTypeByMetadataName("RedisCaching.IRedisCachingBuilder") is not null);
        context.RegisterSourceOutput(results.Select(static (r, _) => r.Interfaces).Combine(hasBuilder), static (spc, pair) =>
        {
            if (pair.Left.Count > 0 && pair.Right)
            {
                spc.AddSource("RedisCachingGeneratedServices.g.cs", SourceEmitter.Registration([.. pair.Left]));
            }
        });
    }

    /// <summary>One model per interface (several attributed methods bring the same one) and each diagnostic once.</summary>
    private static MergedResults Merge(ImmutableArray<ParseResult> results)
    {
        var interfaces = new Dictionary<string, InterfaceModel>();
        var diagnostics = new List<DiagnosticInfo>();
        var seen = new HashSet<DiagnosticInfo>();
        foreach (var result in results)
        {
            if (result.Interface is { } model && !interfaces.ContainsKey(model.FullName))
            {
                interfaces.Add(model.FullName, model);
            }

            foreach (var diagnostic in result.Diagnostics)
            {
                if (seen.Add(diagnostic))
                {
                    diagnostics.Add(diagnostic);
                }
            }
        }

        return new MergedResults(
            new EquatableArray<InterfaceModel>([.. interfaces.Values.OrderBy(static m => m.FullName, System.StringComparer.Ordinal)]),
            new EquatableArray<DiagnosticInfo>([.. diagnostics]));
    }

    private sealed record MergedResults(EquatableArray<InterfaceModel> Interfaces, EquatableArray<DiagnosticInfo> Diagnostics);
}
