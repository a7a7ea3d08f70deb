using System.Text.Json.Serialization;

namespace QuickStart;

/// <summary>
/// Source-generated JSON metadata for every type the demo caches, so the cache serializes without reflection and
/// the sample publishes with native AOT (<c>dotnet publish -p:PublishAot=true</c>).
/// </summary>
[JsonSourceGenerationOptions(System.Text.Json.JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(Product))]
[JsonSerializable(typeof(string))]
internal sealed partial class QuickStartJsonContext : JsonSerializerContext;
