using System.Text.Json;

namespace RedisCaching.Internal.Codecs;

/// <summary>
/// The writer and reader settings a <see cref="JsonSerializerOptions"/> implies, as <see cref="JsonSerializer"/>
/// derives them for its own writers and readers. <see cref="JsonSerializer.Serialize{TValue}(Utf8JsonWriter, TValue, JsonSerializerOptions?)"/>
/// and <c>Deserialize(ref Utf8JsonReader, …)</c> use the writer's and reader's settings, not the options', so a cache
/// that makes its own writer must carry them over, or an app's encoder, indentation or depth would be ignored.
/// </summary>
internal static class JsonOptionsMapping
{
    // JsonSerializerOptions.MaxDepth 0 means this (the serializer's default); the writer's and reader's 0 mean others.
    private const int DefaultMaxDepth = 64;

    public static JsonWriterOptions WriterOptions(JsonSerializerOptions options) => new()
    {
        Encoder = options.Encoder,
        Indented = options.WriteIndented,
        IndentCharacter = options.IndentCharacter,
        IndentSize = options.IndentSize,
        NewLine = options.NewLine,
        MaxDepth = EffectiveMaxDepth(options),
    };

    public static JsonReaderOptions ReaderOptions(JsonSerializerOptions options) => new()
    {
        AllowTrailingCommas = options.AllowTrailingCommas,
        CommentHandling = options.ReadCommentHandling,
        MaxDepth = EffectiveMaxDepth(options),
    };

    /// <summary>Whether a writer made with <paramref name="a"/> writes as one made with <paramref name="b"/> (field by field: the struct has no equality of its own).</summary>
    public static bool Same(JsonWriterOptions a, JsonWriterOptions b) =>
        ReferenceEquals(a.Encoder, b.Encoder)
        && a.Indented == b.Indented
        && a.IndentCharacter == b.IndentCharacter
        && a.IndentSize == b.IndentSize
        && a.MaxDepth == b.MaxDepth
        && a.SkipValidation == b.SkipValidation
        && string.Equals(a.NewLine, b.NewLine, System.StringComparison.Ordinal);

    private static int EffectiveMaxDepth(JsonSerializerOptions options) => options.MaxDepth == 0 ? DefaultMaxDepth : options.MaxDepth;
}
