using System.Linq;
using Microsoft.CodeAnalysis;
using NUnit.Framework;

namespace RedisCaching.Generators.Tests.Generator;

public sealed class DiagnosticTests
{
    private const string Usings = """
        using System;
        using System.Threading;
        using System.Threading.Tasks;
        using RedisCaching;
        public sealed class Opaque { public int Id { get; set; } }
        public sealed record Item(int Id);

        """;

    [TestCase("RCG001", "public interface I { [Cached] void Load(int id); }", "returns 'void'")]
    [TestCase("RCG001", "public interface I { [Cached] int Load(int id); }", "returns 'int'")]
    [TestCase("RCG001", "public interface I { [Cached] Task Load(int id); }", "only Task<T> and ValueTask<T>")]
    [TestCase("RCG002", "public interface I { [Cached] Task<int> Load(ref int id); }", "has the ref parameter 'id'")]
    [TestCase("RCG002", "public interface I { [CacheInvalidate(Tags = new[] { \"t\" })] Task Save(out int id); }", "has the out parameter 'id'")]
    [TestCase("RCG003", "public interface I { [Cached(Key = \"x:{idd}\")] Task<int> Load(int id); }", "'{idd}'")]
    [TestCase("RCG003", "public interface I { [Cached(Key = \"x:{item.Name}\")] Task<int> Load(Opaque item); }", "has no accessible 'Name'")]
    [TestCase("RCG003", "public interface I { [Cached(Key = \"x:{ct}\")] Task<int> Load(int id, CancellationToken ct); }", "cancellation token")]
    [TestCase("RCG004", "public class C { [Cached] public Task<int> Load(int id) => Task.FromResult(id); }", "applies to methods of an interface")]
    [TestCase("RCG005", "public interface I { [Cached(Key = \" \")] Task<int> Load(int id); }", "key of method 'I.Load' would be empty")]
    [TestCase("RCG005", "public interface I { [CacheInvalidate(Tags = new[] { \"\" })] Task Save(int id); }", "tag of method 'I.Save' would be empty")]
    [TestCase("RCG006", "public interface I { [Cached(Expiration = \"5 minutes\")] Task<int> Load(int id); }", "\"5 minutes\"")]
    [TestCase("RCG006", "public interface I { [Cached(Expiration = \"-00:00:05\")] Task<int> Load(int id); }", "not a positive TimeSpan")]
    [TestCase("RCG007", "public interface I { [Cached] Task<int> Load(Opaque item); }", "Parameter 'item'")]
    [TestCase("RCG007", "public interface I { [Cached(Key = \"x:{item}\")] Task<int> Load(Item item); }", "{item.Id}")]
    [TestCase("RCG008", "public interface I { [Cached(Key = \"x:{id}\")] Task<T> Load<T>(int id); }", "does not include its type parameter 'T'; add {T} to the key")]
    [TestCase("RCG008", "public interface I { [Cached(Key = \"x:{TKey}:{id}\")] Task<TValue> Load<TKey, TValue>(int id); }", "type parameter 'TValue'")]
    [TestCase("RCG010", "public interface I { [Cached(Key = \"x:{T:N}:{id}\")] Task<T> Load<T>(int id); }", "takes no format")]
    [TestCase("RCG009", "public interface I<T> { [Cached] Task<T> Load(int id); }", "generic interfaces are not supported")]
    [TestCase("RCG009", "public class Outer { private interface I { [Cached] Task<int> Load(int id); } }", "is private")]
    [TestCase("RCG010", "public interface I { [Cached(Key = \"x:{id\")] Task<int> Load(int id); }", "is never closed")]
    [TestCase("RCG010", "public interface I { [Cached(Key = \"x:id}\")] Task<int> Load(int id); }", "closes no placeholder")]
    [TestCase("RCG011", "public interface I { [Cached, CacheInvalidate(Tags = new[] { \"t\" })] Task<int> Load(int id); }", "both [Cached] and [CacheInvalidate]")]
    [TestCase("RCG012", "public interface I { [CacheInvalidate] Task Save(int id); }", "removes nothing")]
    [TestCase("RCG013", "public interface I { [CacheInvalidate(Tags = new[] { \"t\" })] void Save(int id); }", "returns 'void'")]
    public void Reports(string id, string source, string message)
    {
        var run = GeneratorHarness.Run(Usings + source);
        var diagnostic = run.GeneratorDiagnostics.SingleOrDefault(d => d.Id == id);
        Assert.That(diagnostic, Is.Not.Null, string.Join("\n", run.GeneratorDiagnostics));
        Assert.Multiple(() =>
        {
            Assert.That(diagnostic!.GetMessage(System.Globalization.CultureInfo.InvariantCulture), Does.Contain(message));
            Assert.That(diagnostic.Location.GetLineSpan().Path, Is.EqualTo("Source0.cs"));
            Assert.That(diagnostic.Location.GetLineSpan().StartLinePosition.Line, Is.EqualTo(6), "on the line of the member");
            Assert.That(diagnostic.Severity, Is.EqualTo(id == "RCG012" ? DiagnosticSeverity.Warning : DiagnosticSeverity.Error));

            // A member with an error is forwarded uncached, so the only errors are the generator's.
            Assert.That(run.CompilerDiagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).Select(d => d.ToString()), Is.Empty);
        });
    }
}
