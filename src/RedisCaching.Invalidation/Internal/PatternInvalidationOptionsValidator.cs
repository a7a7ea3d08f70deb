using System;
using Microsoft.Extensions.Options;

namespace RedisCaching.Invalidation.Internal;

/// <summary>Checks the registered defaults at start-up, with the message <see cref="PatternInvalidationOptions.Validate"/> gives.</summary>
internal sealed class PatternInvalidationOptionsValidator : IValidateOptions<PatternInvalidationOptions>
{
    public ValidateOptionsResult Validate(string? name, PatternInvalidationOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        try
        {
            options.Validate();
            return ValidateOptionsResult.Success;
        }
        catch (ArgumentException ex)
        {
            return ValidateOptionsResult.Fail(ex.Message);
        }
    }
}
