using System;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using RedisCaching.Internal;
using StackExchange.Redis;

namespace RedisCaching;

/// <summary>Connection-related settings on <see cref="IRedisCachingBuilder"/>.</summary>
public static class RedisCachingBuilderExtensions
{
    /// <summary>
    /// Uses a multiplexer the host already has instead of opening one. RedisCaching observes its events but never
    /// disposes it; the connection options' address, TLS and pool settings are then not used.
    /// </summary>
    /// <param name="builder">The builder.</param>
    /// <param name="factory">Returns the host's multiplexer.</param>
    /// <returns>The same builder.</returns>
    public static IRedisCachingBuilder UseConnectionMultiplexer(this IRedisCachingBuilder builder, Func<IServiceProvider, IConnectionMultiplexer> factory)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(factory);
        builder.Services.RemoveAll<ExternalMultiplexerSource>();
        builder.Services.AddSingleton(new ExternalMultiplexerSource(factory));
        return builder;
    }

    /// <summary>
    /// Stops RedisCaching from reading <c>REDIS_URL</c>, <c>REDIS_HOST</c>, <c>REDIS_PORT</c>, <c>REDIS_PASSWORD</c> and
    /// <c>REDIS_DB</c> (the configuration key <c>RedisCaching:Redis:UseEnvironmentVariables=false</c> does the same).
    /// </summary>
    /// <param name="builder">The builder.</param>
    /// <returns>The same builder.</returns>
    public static IRedisCachingBuilder WithoutEnvironmentVariables(this IRedisCachingBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.Replace(ServiceDescriptor.Singleton(EnvironmentVariables.None));
        return builder;
    }

    /// <summary>Uses the given multiplexer, which the host owns and disposes.</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="multiplexer">The host's multiplexer.</param>
    /// <returns>The same builder.</returns>
    public static IRedisCachingBuilder UseConnectionMultiplexer(this IRedisCachingBuilder builder, IConnectionMultiplexer multiplexer)
    {
        ArgumentNullException.ThrowIfNull(multiplexer);
        return builder.UseConnectionMultiplexer(_ => multiplexer);
    }
}
