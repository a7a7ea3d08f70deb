using MessagePack;

namespace RedisCaching.Serialization.Tests.Shapes;

/// <summary>One line of an <see cref="Order"/>: strings, numbers, a nullable value and a nullable string.</summary>
[MessagePackObject]
public sealed class LineItem
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
