using System;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace RedisCaching.Internal;

/// <summary>
/// The first two configuration layers: the <c>RedisCaching</c> section of the app's <see cref="IConfiguration"/>
/// (when the container has one), then the <c>REDIS_*</c> environment variables (unless
/// <c>RedisCaching:Redis:UseEnvironmentVariables</c> is false or the builder said <c>WithoutEnvironmentVariables()</c>).
/// Code passed to <c>AddRedisCaching</c> runs after both, as <see cref="CodeLayer"/>.
/// </summary>
internal sealed class RedisCachingOptionsSetup(IServiceProvider services) : IConfigureOptions<RedisCachingOptions>
{
    public void Configure(RedisCachingOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var configuration = services.GetService<IConfiguration>();
        if (configuration is not null)
        {
            ConfigurationSectionReader.Apply(configuration, options.Redis);
            ConfigurationSectionReader.ApplyCache(configuration, options);
        }

        if (configuration is null || ConfigurationSectionReader.UseEnvironmentVariables(configuration))
        {
            var variables = services.GetService<EnvironmentVariables>() ?? EnvironmentVariables.Process;
            AddressParts.ApplyLayer(options.Redis, () => EnvironmentVariableReader.Apply(options.Redis, variables.Get));
        }
    }

    /// <summary>Wraps the code passed to <c>AddRedisCaching</c> so a connection string set there replaces earlier layers' address.</summary>
    public static Action<RedisCachingOptions> CodeLayer(Action<RedisCachingOptions> configure) =>
        options => AddressParts.ApplyLayer(options.Redis, () => configure(options));
}
