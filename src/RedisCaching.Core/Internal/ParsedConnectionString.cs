using System.Collections.Generic;
using StackExchange.Redis;

namespace RedisCaching.Internal;

/// <summary>A parsed connection string and the StackExchange.Redis keywords it set explicitly.</summary>
internal sealed record ParsedConnectionString(ConfigurationOptions Options, IReadOnlySet<string> ExplicitKeywords)
{
    public bool Specifies(string keyword) => ExplicitKeywords.Contains(keyword);
}
