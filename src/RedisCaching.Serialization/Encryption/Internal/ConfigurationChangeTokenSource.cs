using System;
using System.Threading;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;

namespace RedisCaching.Serialization.Encryption.Internal;

/// <summary>
/// Tells <see cref="IOptionsMonitor{TOptions}"/> to rebuild the options when the app's configuration reloads (a vault
/// or file provider with reload on). Written here because Core references only the configuration abstractions, not
/// Microsoft.Extensions.Options.ConfigurationExtensions.
/// </summary>
internal sealed class ConfigurationChangeTokenSource(IServiceProvider services) : IOptionsChangeTokenSource<CacheEncryptionOptions>
{
    // Without an IConfiguration there is nothing to reload: a token that never fires.
    private static readonly CancellationChangeToken NoChanges = new(CancellationToken.None);

    public string Name => Options.DefaultName;

    public IChangeToken GetChangeToken() =>
        services.GetService<IConfiguration>()?.GetReloadToken() ?? NoChanges;
}
