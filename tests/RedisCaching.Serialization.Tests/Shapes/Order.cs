using System;
using System.Collections.Generic;
using MessagePack;

namespace RedisCaching.Serialization.Tests.Shapes;

/// <summary>The test object: scalars, nullable members, a list of objects, an array and a dictionary.</summary>
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
    public List<LineItem> Items { get; set; } = [];

    [Key(7)]
    public string[] Tags { get; set; } = [];

    [Key(8)]
    public Dictionary<string, string> Attributes { get; set; } = [];

    [Key(9)]
    public bool Paid { get; set; }
}
