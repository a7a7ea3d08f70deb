using System;
using System.Collections.Generic;
using System.Globalization;
using MessagePack;

namespace RedisCaching.Benchmarks.Serialization;

/// <summary>The benchmark object: scalars, nullable members, a list of objects, an array and a dictionary.</summary>
[MessagePackObject]
public sealed class Order
{
    [Key(0)]
    public long Id { get; set; }

    [Key(1)]
    public string Customer { get; set; } = "";

    [Key(2)]
    public string? Email { get; set; }

    [Key(3)]
    public DateTime CreatedAt { get; set; }

    [Key(4)]
    public DateTime? ShippedAt { get; set; }

    [Key(5)]
    public string Status { get; set; } = "";

    [Key(6)]
    public List<OrderLine> Items { get; set; } = [];

    [Key(7)]
    public string[] Tags { get; set; } = [];

    [Key(8)]
    public Dictionary<string, string> Attributes { get; set; } = [];

    [Key(9)]
    public bool Paid { get; set; }

    /// <summary>small: no lines (~200 B as JSON); medium: 33 lines (~4 KB); large: 2,200 lines (~256 KB).</summary>
    public static Order Create(string size)
    {
        int items = size switch
        {
            "small" => 0,
            "medium" => 33,
            "large" => 2200,
            _ => throw new ArgumentOutOfRangeException(nameof(size), size, "small, medium or large"),
        };
        var order = new Order
        {
            Id = 1_000_001,
            Customer = "Customer 0001 Ltd.",
            Email = "buyer1@example.com",
            CreatedAt = new DateTime(2026, 1, 15, 10, 31, 0, DateTimeKind.Utc),
            ShippedAt = items == 0 ? null : new DateTime(2026, 1, 17, 8, 0, 0, DateTimeKind.Utc),
            Status = items == 0 ? "draft" : "shipped",
            Tags = ["priority", "eu"],
            Attributes = new Dictionary<string, string> { ["channel"] = "web", ["region"] = "eu-west" },
            Paid = true,
        };
        for (int i = 0; i < items; i++)
        {
            order.Items.Add(new OrderLine
            {
                Sku = "SKU-" + (10_000 + ((i * 7919) % 90_000)).ToString(CultureInfo.InvariantCulture),
                Description = $"Product {i % 40} in size {(char)('A' + (i % 5))}",
                Quantity = 1 + (i % 9),
                UnitPrice = 4.99m + (i % 17),
                Discount = i % 3 == 0 ? 0.5m : null,
                Note = i % 4 == 0 ? "gift wrap" : null,
            });
        }

        return order;
    }
}
