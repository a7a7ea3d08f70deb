using Microsoft.Extensions.Options;

namespace RedisCaching.Internal;

/// <summary>Validates the options at start-up by building the StackExchange.Redis configuration they describe.</summary>
internal sealed class RedisCachingOptionsValidator : IValidateOptions<RedisCachingOptions>
{
    public ValidateOptionsResult Validate(string? name, RedisCachingOptions options)
    {
        try
        {
            _ = ConfigurationOptionsBuilder.Build(options.Redis);
            return ValidateOptionsResult.Success;
        }
        catch (RedisCachingConfigurationException ex)
        {
            return ValidateOptionsResult.Fail(ex.Message);
        }
    }
}
