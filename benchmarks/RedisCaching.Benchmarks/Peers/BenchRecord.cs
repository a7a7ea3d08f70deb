using System;
using System.ComponentModel;
using System.Globalization;
using System.Text.Json.Serialization;

namespace RedisCaching.Benchmarks.Peers;

/// <summary>
/// The record every cache benchmark stores: immutable (init-only, sealed, <see cref="ImmutableObjectAttribute"/>,
/// which is what lets HybridCache hand out the same instance on an L1 hit) and about 200 bytes as JSON.
/// <see cref="Version"/> is what the Zipf workload checks for stale reads.
/// </summary>
[ImmutableObject(true)]
public sealed record BenchRecord(
    long Id,
    long Version,
    string Name,
    string Email,
    string Country,
    DateTimeOffset UpdatedAt,
    decimal Balance,
    string Notes)
{
    /// <summary>A deterministic record for <paramref name="id"/> at <paramref name="version"/>.</summary>
    public static BenchRecord Create(long id, long version) => new(
        id,
        version,
        string.Create(CultureInfo.InvariantCulture, $"Customer {id:D6}"),
        string.Create(CultureInfo.InvariantCulture, $"customer{id}@example.org"),
        "NL",
        new DateTimeOffset(2026, 11, 26, 12, 0, 0, TimeSpan.Zero).AddSeconds(version),
        1234.56m + id,
        "Preferred contact by e-mail; invoices monthly; account in good standing.");
}

/// <summary>Source-generated System.Text.Json metadata, shared by every peer that takes a serializer.</summary>
[JsonSerializable(typeof(BenchRecord))]
[JsonSerializable(typeof(string))]
internal sealed partial class BenchJsonContext : JsonSerializerContext;
