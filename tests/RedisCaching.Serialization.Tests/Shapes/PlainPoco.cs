using System.Collections.Generic;

namespace RedisCaching.Serialization.Tests.Shapes;

/// <summary>No MessagePack attributes: only contractless resolvers may serialize it.</summary>
public sealed class PlainPoco
{
    public string Name { get; set; } = "";

    public int? Count { get; set; }

    public List<string> Labels { get; set; } = [];
}
