using System;
using System.Collections.Generic;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace RedisCaching.Serialization.Encryption.Internal;

/// <summary>
/// Start-up validation of the configured keys (every problem at once, each naming its setting). Skipped when the host
/// supplies its own key provider, since the configuration is then not used.
/// </summary>
internal sealed class StartupKeyCheckValidator(IServiceProvider services) : IValidateOptions<StartupKeyCheck>
{
    public ValidateOptionsResult Validate(string? name, StartupKeyCheck options)
    {
        if (services.GetService<EncryptionKeySource>() is { FromConfiguration: false })
        {
            return ValidateOptionsResult.Skip;
        }

        var errors = new List<string>();
        CacheEncryptionOptionsReader.TryCreate(services.GetRequiredService<IOptionsMonitor<CacheEncryptionOptions>>().CurrentValue, errors);
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
