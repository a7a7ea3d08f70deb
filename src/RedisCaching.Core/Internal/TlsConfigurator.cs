using System;
using System.Security.Cryptography.X509Certificates;
using StackExchange.Redis;

namespace RedisCaching.Internal;

/// <summary>
/// Applies <see cref="RedisTlsOptions"/>: server validation always on (a custom CA replaces the system store for
/// this connection, it does not switch validation off), SNI, and an optional client certificate.
/// </summary>
internal static class TlsConfigurator
{
    public static void Apply(RedisTlsOptions tls, ConfigurationOptions config, ParsedConnectionString parsed, TlsCertificateFiles files)
    {
        ArgumentNullException.ThrowIfNull(tls);
        if (tls.Enabled == false && config.Ssl)
        {
            // Never let one layer quietly downgrade another's TLS: a rediss:// URL or ssl=true means TLS.
            throw new RedisCachingConfigurationException(
                "Tls:Enabled",
                "Tls:Enabled is false but the connection string asks for TLS (rediss:// or ssl=true); remove one of the two.");
        }

        var enabled = tls.Enabled ?? config.Ssl;
        config.Ssl = enabled;
        if (!enabled)
        {
            return;
        }

        // Without ServerName, StackExchange.Redis checks each endpoint's certificate against that endpoint's own
        // host, which is the only safe default when there are several endpoints or the address was overridden.
        if (tls.ServerName is not null)
        {
            config.SslHost = tls.ServerName;
        }

        // Off unless asked for (StackExchange.Redis defaults to on): private CAs and closed networks rarely serve
        // CRL/OCSP, and an unreachable one would fail every connect. An explicit setting anywhere wins.
        config.CheckCertificateRevocation = tls.CheckCertificateRevocation
            ?? (parsed.Specifies("checkCertificateRevocation") && config.CheckCertificateRevocation);

        if (tls.Protocols is { } protocols)
        {
            config.SslProtocols = protocols;
        }

        var root = ResolveRoot(tls, files);
        if (root is not null)
        {
            var revocation = config.CheckCertificateRevocation ? X509RevocationMode.Online : X509RevocationMode.NoCheck;
            config.CertificateValidation += (_, certificate, _, errors) => ServerCertificateValidator.Validate(certificate, errors, root(), revocation);
        }

        var client = ResolveClientCertificate(tls, files);
        if (client is not null)
        {
            config.CertificateSelection += (_, _, _, _, _) => client()!;
        }
    }

    private static Func<X509Certificate2?>? ResolveRoot(RedisTlsOptions tls, TlsCertificateFiles files)
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
            var loaded = files.LoadCertificate("Tls:CaCertificatePath", path);
            return () => loaded;
        }

        return null;
    }

    private static Func<X509Certificate2?>? ResolveClientCertificate(RedisTlsOptions tls, TlsCertificateFiles files)
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
            var loaded = files.LoadClientCertificate(path, tls.ClientKeyPath, tls.ClientCertificatePassword);
            return () => loaded;
        }

        return null;
    }
}
