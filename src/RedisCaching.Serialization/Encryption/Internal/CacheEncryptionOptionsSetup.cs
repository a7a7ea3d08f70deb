using System;
using System.Globalization;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace RedisCaching.Serialization.Encryption.Internal;

/// <summary>
/// Reads <c>RedisCaching:Encryption</c> by hand (no reflection binder, so AOT-safe). Unreadable values are left for the
/// validator to report with the setting's name, so start-up shows every problem at once.
/// </summary>
internal sealed class CacheEncryptionOptionsSetup(IServiceProvider services) : IConfigureOptions<CacheEncryptionOptions>
{
    public void Configure(CacheEncryptionOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var section = services.GetService<IConfiguration>()?.GetSection(CacheEncryptionOptions.SectionName);
        if (section is null || !section.Exists())
        {
            return;
        }

        if (section["ActiveKeyId"] is { } active)
        {
            if (int.TryParse(active, NumberStyles.Integer, CultureInfo.InvariantCulture, out var id))
            {
                options.ActiveKeyId = id;
            }
            else
            {
                options.ActiveKeyIdUnreadable = true;
            }
        }

        foreach (var key in section.GetSection("Keys").GetChildren())
        {
            options.Keys[key.Key] = key.Value ?? string.Empty;
        }
    }
}
