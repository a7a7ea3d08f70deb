using Microsoft.Extensions.DependencyInjection;

namespace RedisCaching.Internal;

internal sealed class RedisCachingBuilder(IServiceCollection services) : IRedisCachingBuilder
{
    public IServiceCollection Services { get; } = services;
}
