using System;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace RedisCaching.Internal;

/// <summary>
/// Validates the options at start-up by building the StackExchange.Redis configuration they describe. When the host
/// hands in its own multiplexer the connection options are not used, so there is nothing to validate.
/// </summary>
internal sealed class RedisCachingOptionsValidator(IServiceProvider services) : IValidateOptions<RedisCachingOptions>
{
    public ValidateOptionsResult Validate(string? name, RedisCachingOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (services.GetService<ExternalMultiplexerSource>() is not null)
        {
            return ValidateOptionsResult.Skip;
        }

        try
        {
            ConfigurationOptionsBuilder.Validate(options.Redis);
            return ValidateOptionsResult.Success;
        }
        catch (RedisCachingConfigurationException ex)
        {
            return ValidateOptionsResult.Fail(ex.Message);
        }
    }
}
