using MessagePack;

namespace RedisCaching.Serialization.Tests.Shapes;

/// <summary>A self-nesting type: each level is a one-element array on the wire.</summary>
[MessagePackObject]
public sealed class Node
{
    [Key(0)]
    public Node? Child { get; set; }
}
