using System;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace RedisCaching.Internal;

/// <summary>
/// The first two configuration steps: the <c>RedisCaching</c> section of the app's <see cref="IConfiguration"/>
/// (when the container has one), then the <c>REDIS_*</c> environment variables. Code passed to
/// <c>AddRedisCaching</c> runs after both.
/// </summary>
internal sealed class RedisCachingOptionsSetup(IServiceProvider services) : IConfigureOptions<RedisCachingOptions>
{
    public void Configure(RedisCachingOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (services.GetService<IConfiguration>() is { } configuration)
        {
            ConfigurationSectionReader.Apply(configuration, options.Redis);
        }

        var variables = services.GetService<EnvironmentVariables>() ?? EnvironmentVariables.Process;
        EnvironmentVariableReader.Apply(options.Redis, variables.Get);
    }
}
