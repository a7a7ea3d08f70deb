using System;
using System.Collections.Generic;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using RedisCaching.Serialization.Internal;

namespace RedisCaching.Serialization.Encryption.Internal;

/// <summary>
/// The key provider behind <c>AddValueEncryption()</c>: keys from <see cref="CacheEncryptionOptions"/>, replaced when the
/// options monitor reports a reload. A reload with invalid keys is logged and ignored, so a typo in a vault never
/// makes every entry unreadable.
/// </summary>
internal sealed class OptionsKeyProvider : ICacheEncryptionKeyProvider, IDisposable
{
    private readonly ILogger _logger;
    private readonly IDisposable? _subscription;
    private volatile CacheEncryptionKeySet _current;

    public OptionsKeyProvider(IOptionsMonitor<CacheEncryptionOptions> monitor, ILogger logger)
    {
        _logger = logger;
        var errors = new List<string>();
        _current = CacheEncryptionOptionsReader.TryCreate(monitor.CurrentValue, errors)
            ?? throw new RedisCachingConfigurationException(CacheEncryptionOptions.SectionName, string.Join(" ", errors));
        _subscription = monitor.OnChange(Reload);
    }

    public CacheEncryptionKeySet Current => _current;

    public void Dispose() => _subscription?.Dispose();

    private void Reload(CacheEncryptionOptions options, string? name)
    {
        if (name != Options.DefaultName)
        {
            return;
        }

        var errors = new List<string>();
        if (CacheEncryptionOptionsReader.TryCreate(options, errors) is not { } keys)
        {
            Log.KeyReloadRejected(_logger, string.Join(" ", errors));
            return;
        }

        // Any configuration reload lands here; keep the same instance when the keys did not change.
        if (!keys.HasSameKeysAs(_current))
        {
            _current = keys;
        }
    }
}
