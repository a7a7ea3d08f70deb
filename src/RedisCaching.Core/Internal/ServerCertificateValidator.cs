using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace RedisCaching.Internal;

/// <summary>Validates a server certificate against one custom CA, keeping every other check (name, dates, server usage).</summary>
internal static class ServerCertificateValidator
{
    private const string ServerAuthenticationOid = "1.3.6.1.5.5.7.3.1";

    public static bool Validate(X509Certificate? certificate, SslPolicyErrors errors, X509Certificate2? root, X509RevocationMode revocation)
    {
        if (certificate is null || root is null)
        {
            return false;
        }

        // A name mismatch or a missing certificate is never excused by a custom CA; only the chain is re-checked.
        if ((errors & ~SslPolicyErrors.RemoteCertificateChainErrors) != SslPolicyErrors.None)
        {
            return false;
        }

        using var server = X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(root);
        chain.ChainPolicy.RevocationMode = revocation;

        // Rebuilding the chain drops the platform's usage check: require a certificate meant for servers.
        chain.ChainPolicy.ApplicationPolicy.Add(new Oid(ServerAuthenticationOid));
        return chain.Build(server);
    }
}
