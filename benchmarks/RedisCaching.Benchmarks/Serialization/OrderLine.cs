using MessagePack;

namespace RedisCaching.Benchmarks.Serialization;

/// <summary>One line of a <see cref="Order"/> (same shape as the Serialization tests' model).</summary>
[MessagePackObject]
public sealed class OrderLine
{
    [Key(0)]
    public string Sku { get; set; } = "";

    [Key(1)]
    public string Description { get; set; } = "";

    [Key(2)]
    public int Quantity { get; set; }

    [Key(3)]
    public decimal UnitPrice { get; set; }

    [Key(4)]
    public decimal? Discount { get; set; }

    [Key(5)]
    public string? Note { get; set; }
}
