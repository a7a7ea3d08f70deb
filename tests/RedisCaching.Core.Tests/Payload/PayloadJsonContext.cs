using System.Text.Json;
using System.Text.Json.Serialization;

namespace RedisCaching.Core.Tests.Payload;

/// <summary>Source-generated metadata (and fast-path writers) for the payload tests' types, web defaults.</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(PayloadAllocationTests.Order))]
internal sealed partial class PayloadJsonContext : JsonSerializerContext;
