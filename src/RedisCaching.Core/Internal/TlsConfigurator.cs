using System;
using System.IO;
using System.Net;
using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using StackExchange.Redis;

namespace RedisCaching.Internal;

/// <summary>
/// Applies <see cref="RedisTlsOptions"/>: server validation always on (a custom CA replaces the system store for
/// this connection, it does not switch validation off), SNI, and an optional client certificate.
/// </summary>
internal static class TlsConfigurator
{
    public static void Apply(RedisTlsOptions tls, ConfigurationOptions config)
    {
        ArgumentNullException.ThrowIfNull(tls);
        var enabled = tls.Enabled ?? config.Ssl;
        config.Ssl = enabled;
        if (!enabled)
        {
            return;
        }

        config.SslHost = tls.ServerName ?? config.SslHost ?? FirstHostName(config);
        config.CheckCertificateRevocation = tls.CheckCertificateRevocation;
        if (tls.Protocols is { } protocols)
        {
            config.SslProtocols = protocols;
        }

        var root = ResolveRoot(tls);
        if (root is not null)
        {
            var revocation = tls.CheckCertificateRevocation ? X509RevocationMode.Online : X509RevocationMode.NoCheck;
            config.CertificateValidation += (_, certificate, _, errors) => ServerCertificateValidator.Validate(certificate, errors, root(), revocation);
        }

        var client = ResolveClientCertificate(tls);
        if (client is not null)
        {
            config.CertificateSelection += (_, _, _, _, _) => client()!;
        }
    }

    private static string? FirstHostName(ConfigurationOptions config) => config.EndPoints.Count > 0 && config.EndPoints[0] is DnsEndPoint dns ? dns.Host : null;

    private static Func<X509Certificate2?>? ResolveRoot(RedisTlsOptions tls)
    {
        if (tls.RootCertificateCallback is { } callback)
        {
            return callback;
        }

        if (tls.RootCertificate is { } fixedRoot)
        {
            return () => fixedRoot;
        }

        if (tls.CaCertificatePath is { } path)
        {
            var loaded = LoadCertificateFile("Tls:CaCertificatePath", path);
            return () => loaded;
        }

        return null;
    }

    private static Func<X509Certificate2?>? ResolveClientCertificate(RedisTlsOptions tls)
    {
        if (tls.ClientCertificateCallback is { } callback)
        {
            return callback;
        }

        if (tls.ClientCertificate is { } fixedCertificate)
        {
            return () => fixedCertificate;
        }

        if (tls.ClientCertificatePath is { } path)
        {
            var loaded = LoadClientCertificate(path, tls.ClientKeyPath, tls.ClientCertificatePassword);
            return () => loaded;
        }

        return null;
    }

    private static X509Certificate2 LoadCertificateFile(string setting, string path)
    {
        RequireFile(setting, path);
        try
        {
            var text = File.ReadAllText(path);
            return text.Contains("-----BEGIN", StringComparison.Ordinal)
                ? X509Certificate2.CreateFromPem(text)
                : X509CertificateLoader.LoadCertificateFromFile(path);
        }
        catch (CryptographicException ex)
        {
            throw new RedisCachingConfigurationException(setting, $"The certificate file '{path}' could not be read: {ex.Message}");
        }
    }

    private static X509Certificate2 LoadClientCertificate(string path, string? keyPath, string? password)
    {
        const string setting = "Tls:ClientCertificatePath";
        RequireFile(setting, path);
        try
        {
            if (keyPath is null)
            {
                return X509CertificateLoader.LoadPkcs12FromFile(path, password);
            }

            RequireFile("Tls:ClientKeyPath", keyPath);
            return password is null
                ? X509Certificate2.CreateFromPemFile(path, keyPath)
                : X509Certificate2.CreateFromEncryptedPemFile(path, password, keyPath);
        }
        catch (CryptographicException ex)
        {
            // The message of a wrong PFX password says so without echoing it.
            throw new RedisCachingConfigurationException(setting, $"The client certificate '{path}' could not be loaded: {ex.Message}");
        }
    }

    private static void RequireFile(string setting, string path)
    {
        if (!File.Exists(path))
        {
            throw new RedisCachingConfigurationException(setting, $"{setting}: the file '{path}' does not exist.");
        }
    }
}
