using System;
using System.Collections.Generic;
using System.Globalization;

namespace RedisCaching.Serialization.Tests.Shapes;

/// <summary>Deterministic orders of the three sizes the issue names (as System.Text.Json: ~200 B, ~4 KB, ~256 KB).</summary>
public static class Orders
{
    public const int SmallItems = 0;
    public const int MediumItems = 33;
    public const int LargeItems = 2200;

    public static Order Small() => Create(SmallItems);

    public static Order Medium() => Create(MediumItems);

    public static Order Large() => Create(LargeItems);

    public static Order Create(int items, int seed = 1)
    {
        var order = new Order
        {
            Id = 1_000_000 + seed,
            Customer = $"Customer {seed:D4} Ltd.",
            Email = seed % 2 == 1 ? $"buyer{seed}@example.com" : null,
            CreatedAt = new DateTime(2026, 1, 15, 10, 30, 0, DateTimeKind.Utc).AddMinutes(seed),
            ShippedAt = items % 2 == 0 ? null : new DateTime(2026, 1, 17, 8, 0, 0, DateTimeKind.Utc),
            Status = items == 0 ? "draft" : "shipped",
            Tags = ["priority", "eu"],
            Attributes = new Dictionary<string, string> { ["channel"] = "web", ["region"] = "eu-west" },
            Paid = true,
        };
        for (int i = 0; i < items; i++)
        {
            order.Items.Add(new LineItem
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
