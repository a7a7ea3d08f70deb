using System.Text.Json.Serialization;

namespace RedisCaching.Benchmarks.Serialization;

/// <summary>Source-generated System.Text.Json metadata: the AOT-friendly default serializer's best case.</summary>
[JsonSerializable(typeof(Order))]
internal sealed partial class OrderJsonContext : JsonSerializerContext;
