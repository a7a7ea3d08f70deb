using Microsoft.Extensions.DependencyInjection;

namespace RedisCaching;

/// <summary>Returned by <c>AddRedisCaching</c>; RedisCaching's other packages add their services through it.</summary>
public interface IRedisCachingBuilder
{
    /// <summary>The service collection RedisCaching registers into.</summary>
    IServiceCollection Services { get; }
}
