using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using NUnit.Framework;

namespace RedisCaching.Generators.Tests.Generator;

public sealed class IncrementalTests
{
    [Test]
    public void Unrelated_edit_reuses_every_output()
    {
        var compilation = GeneratorHarness.Compile(EmittedCodeTests.Representative, "namespace Other; public static class Util { public static int One() => 1; }");
        var driver = GeneratorHarness.CreateDriver().RunGenerators(compilation);

        // Change a method body in the unrelated file, as an edit in an IDE would.
        var old = compilation.SyntaxTrees.Single(t => t.FilePath == "Source1.cs");
        var edited = compilation.ReplaceSyntaxTree(old, CSharpSyntaxTree.ParseText(
            "namespace Other; public static class Util { public static int One() => 2; public static int Two() => 2; }", GeneratorHarness.ParseOptions, path: "Source1.cs"));
        var result = driver.RunGenerators(edited).GetRunResult().Results.Single();

        var interfaces = result.TrackedSteps[CachedServiceGenerator.InterfacesStep].SelectMany(s => s.Outputs).Select(o => o.Reason).ToList();
        var outputs = result.TrackedOutputSteps.SelectMany(s => s.Value).SelectMany(s => s.Outputs).Select(o => o.Reason).ToList();
        Assert.Multiple(() =>
        {
            Assert.That(result.GeneratedSources, Has.Length.EqualTo(3));
            Assert.That(interfaces, Is.Not.Empty.And.All.EqualTo(IncrementalStepRunReason.Cached));
            Assert.That(outputs, Is.Not.Empty.And.All.Matches<IncrementalStepRunReason>(r => r is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged));
        });
    }

    [Test]
    public void Edit_of_an_attributed_interface_regenerates_its_decorator()
    {
        var compilation = GeneratorHarness.Compile(EmittedCodeTests.Representative);
        var driver = GeneratorHarness.CreateDriver().RunGenerators(compilation);
        var old = compilation.SyntaxTrees.Single();
        var edited = compilation.ReplaceSyntaxTree(old, CSharpSyntaxTree.ParseText(
            EmittedCodeTests.Representative.Replace("feature:{id}", "feature:v2:{id}"), GeneratorHarness.ParseOptions, path: old.FilePath));
        var result = driver.RunGenerators(edited).GetRunResult().Results.Single();

        var decorator = result.GeneratedSources.Single(s => s.HintName.EndsWith("IFeatureService.CachingDecorator.g.cs", System.StringComparison.Ordinal));
        var outputs = result.TrackedOutputSteps.SelectMany(s => s.Value).SelectMany(s => s.Outputs).Select(o => o.Reason).ToList();
        Assert.Multiple(() =>
        {
            Assert.That(decorator.SourceText.ToString(), Does.Contain("feature:v2:{id}"));
            Assert.That(outputs, Does.Contain(IncrementalStepRunReason.Modified));
        });
    }
}
