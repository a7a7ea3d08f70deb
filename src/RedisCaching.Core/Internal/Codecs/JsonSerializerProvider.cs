using System;
using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using RedisCaching.Serialization;

namespace RedisCaching.Internal.Codecs;

/// <summary>
/// The default format, System.Text.Json. Its metadata comes from the configured <see cref="JsonSerializerOptions"/>
/// (<see cref="JsonSerializerOptions.Web"/> by default, or the app's source-generated context), asked through
/// <c>GetTypeInfo</c>, which is trim- and AOT-safe: where reflection is off and no context knows the type, it fails
/// with a message that says so.
/// </summary>
internal sealed class JsonSerializerProvider(JsonSerializerOptions options) : ICacheSerializerProvider
{
    public const byte FormatId = 1;
    public const string FormatName = "json";
    private readonly JsonSerializerOptions _options = WithResolver(options);

    public byte Id => FormatId;

    public string Name => FormatName;

    public ICacheSerializer<T> GetSerializer<T>()
    {
        try
        {
            return new SystemTextJsonCacheSerializer<T>((JsonTypeInfo<T>)_options.GetTypeInfo(typeof(T)));
        }
        catch (Exception ex) when (ex is NotSupportedException or InvalidOperationException or InvalidCastException)
        {
            throw new NotSupportedException(
                $"RedisCaching cannot serialize {typeof(T)}: {ex.Message} Add the type to a JsonSerializerContext and set RedisCachingOptions.JsonSerializerOptions (AOT apps must).",
                ex);
        }
    }

    /// <summary>Options without a resolver get the reflection one, but only where the app allows reflection.</summary>
    private static JsonSerializerOptions WithResolver(JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.TypeInfoResolver is not null || !JsonSerializer.IsReflectionEnabledByDefault)
        {
            return options;
        }

        return new JsonSerializerOptions(options) { TypeInfoResolver = CreateReflectionResolver() };
    }

    // JsonSerializer.IsReflectionEnabledByDefault is a feature switch: trimmed and AOT apps turn it off and the
    // trimmer removes this call with the branch, so the warning cannot apply to them. They must pass a context.
    [UnconditionalSuppressMessage("Trimming", "IL2026", Justification = "Reached only when reflection-based JSON is enabled (feature switch).")]
    [UnconditionalSuppressMessage("AOT", "IL3050", Justification = "Reached only when reflection-based JSON is enabled (feature switch).")]
    private static DefaultJsonTypeInfoResolver CreateReflectionResolver() => new();
}
