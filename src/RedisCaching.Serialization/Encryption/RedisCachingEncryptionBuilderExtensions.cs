using System;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using RedisCaching;
using RedisCaching.Serialization.Encryption;
using RedisCaching.Serialization.Encryption.Internal;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Adds AES-256-GCM value encryption (<see cref="ICacheEncryptor"/>) to RedisCaching.</summary>
/// <remarks>
/// Entries are encrypted only when they opt in (<c>CacheEntryOptions.Encrypt = true</c>, per profile or per call).
/// Calling these methods again is harmless; the last call decides where the keys come from.
/// </remarks>
public static class RedisCachingEncryptionBuilderExtensions
{
    /// <summary>
    /// Adds value encryption with keys from configuration (<c>RedisCaching:Encryption:ActiveKeyId</c> and
    /// <c>RedisCaching:Encryption:Keys:{id}</c> = base64 of 32 bytes). The keys are
    /// validated at start-up, and a configuration reload with a new active key or key set takes effect without a restart
    /// (a reload with invalid keys is logged and the previous keys stay in use).
    /// </summary>
    /// <param name="builder">The builder from <c>AddRedisCaching</c>.</param>
    /// <returns>The same builder.</returns>
    public static IRedisCachingBuilder AddValueEncryption(this IRedisCachingBuilder builder) => AddFromOptions(builder, configure: null);

    /// <summary>
    /// Adds value encryption with keys from configuration (as <see cref="AddValueEncryption(IRedisCachingBuilder)"/>),
    /// then <paramref name="configure"/>, which may set or override keys in code.
    /// </summary>
    /// <param name="builder">The builder from <c>AddRedisCaching</c>.</param>
    /// <param name="configure">Code that runs after configuration.</param>
    /// <returns>The same builder.</returns>
    public static IRedisCachingBuilder AddValueEncryption(this IRedisCachingBuilder builder, Action<CacheEncryptionOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        return AddFromOptions(builder, configure);
    }

    private static IRedisCachingBuilder AddFromOptions(IRedisCachingBuilder builder, Action<CacheEncryptionOptions>? configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        services.AddOptions<CacheEncryptionOptions>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IConfigureOptions<CacheEncryptionOptions>, CacheEncryptionOptionsSetup>());
        services.AddOptions<StartupKeyCheck>().ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<StartupKeyCheck>, StartupKeyCheckValidator>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IOptionsChangeTokenSource<CacheEncryptionOptions>, ConfigurationChangeTokenSource>());
        if (configure is not null)
        {
            services.Configure(configure);
        }

        services.Replace(ServiceDescriptor.Singleton(EncryptionKeySource.Configuration));
        services.Replace(ServiceDescriptor.Singleton<ICacheEncryptionKeyProvider>(static sp => new OptionsKeyProvider(
            sp.GetRequiredService<IOptionsMonitor<CacheEncryptionOptions>>(),
            sp.GetService<ILoggerFactory>()?.CreateLogger("RedisCaching.Encryption") ?? NullLogger.Instance)));
        return AddEncryptor(builder);
    }

    /// <summary>
    /// Adds value encryption with keys from a provider the host supplies (a vault, a secret store). The provider's
    /// <see cref="ICacheEncryptionKeyProvider.Current"/> is read on every operation, so publishing a new key set rotates
    /// without a restart. The container disposes the provider if it is disposable.
    /// </summary>
    /// <param name="builder">The builder from <c>AddRedisCaching</c>.</param>
    /// <param name="keyProviderFactory">Creates the provider (once, from the container).</param>
    /// <returns>The same builder.</returns>
    public static IRedisCachingBuilder AddValueEncryption(this IRedisCachingBuilder builder, Func<IServiceProvider, ICacheEncryptionKeyProvider> keyProviderFactory)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(keyProviderFactory);
        builder.Services.Replace(ServiceDescriptor.Singleton(EncryptionKeySource.Host));
        builder.Services.Replace(ServiceDescriptor.Singleton(keyProviderFactory));
        return AddEncryptor(builder);
    }

    /// <summary>
    /// Adds value encryption with keys from <paramref name="keyProvider"/>, which the host owns (the container does not
    /// dispose it). A <see cref="CacheEncryptionKeySet"/> gives fixed keys.
    /// </summary>
    /// <param name="builder">The builder from <c>AddRedisCaching</c>.</param>
    /// <param name="keyProvider">The key provider.</param>
    /// <returns>The same builder.</returns>
    public static IRedisCachingBuilder AddValueEncryption(this IRedisCachingBuilder builder, ICacheEncryptionKeyProvider keyProvider)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(keyProvider);
        builder.Services.Replace(ServiceDescriptor.Singleton(EncryptionKeySource.Host));
        builder.Services.Replace(ServiceDescriptor.Singleton(keyProvider));
        return AddEncryptor(builder);
    }

    private static IRedisCachingBuilder AddEncryptor(IRedisCachingBuilder builder)
    {
        builder.Services.TryAddSingleton<ICacheEncryptor>(static sp => new AesGcmCacheEncryptor(
            sp.GetRequiredService<ICacheEncryptionKeyProvider>(),
            sp.GetService<ILogger<AesGcmCacheEncryptor>>()));
        return builder;
    }
}
