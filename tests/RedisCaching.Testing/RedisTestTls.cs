using System;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace RedisCaching.Testing;

/// <summary>
/// The TLS material of one test server: PEM files in the server's directory (what <c>redis-server</c> and
/// <c>redis-cli</c> read) and the same certificates as objects (what a .NET client uses). Every certificate is made
/// at test time; the "wrong CA" is an unrelated CA with its own client certificate, for proving rejection.
/// </summary>
/// <remarks>The certificate objects are shared by every server of the process: do not dispose them.</remarks>
public sealed class RedisTestTls
{
    internal RedisTestTls(string directory, TestCertificateSet certificates)
    {
        Directory = directory;
        CaCertificate = certificates.Ca;
        ServerCertificate = certificates.Server;
        ClientCertificate = certificates.Client;
        WrongCaCertificate = certificates.WrongCa;
        WrongCaClientCertificate = certificates.WrongCaClient;
    }

    /// <summary>The folder that holds the PEM files.</summary>
    public string Directory { get; }

    /// <summary>The host name the server certificate is issued for (its SAN also holds 127.0.0.1).</summary>
    public static string ServerHostName => "localhost";

    /// <summary>The test CA (no private key).</summary>
    public X509Certificate2 CaCertificate { get; }

    /// <summary>The server certificate, signed by the test CA, with its private key.</summary>
    public X509Certificate2 ServerCertificate { get; }

    /// <summary>A client certificate signed by the test CA, with its private key.</summary>
    public X509Certificate2 ClientCertificate { get; }

    /// <summary>A CA that signed nothing of the server's: trusting only it must fail.</summary>
    public X509Certificate2 WrongCaCertificate { get; }

    /// <summary>A client certificate signed by <see cref="WrongCaCertificate"/>: the server must refuse it.</summary>
    public X509Certificate2 WrongCaClientCertificate { get; }

    /// <summary>PEM of <see cref="CaCertificate"/> (<c>--tls-ca-cert-file</c>).</summary>
    public string CaCertificatePath => Path("ca.crt");

    /// <summary>PEM of <see cref="ServerCertificate"/> (<c>--tls-cert-file</c>).</summary>
    public string ServerCertificatePath => Path("server.crt");

    /// <summary>PKCS#8 PEM key of <see cref="ServerCertificate"/> (<c>--tls-key-file</c>).</summary>
    public string ServerKeyPath => Path("server.key");

    /// <summary>PEM of <see cref="ClientCertificate"/>.</summary>
    public string ClientCertificatePath => Path("client.crt");

    /// <summary>PKCS#8 PEM key of <see cref="ClientCertificate"/>.</summary>
    public string ClientKeyPath => Path("client.key");

    /// <summary>PEM of <see cref="WrongCaCertificate"/>.</summary>
    public string WrongCaCertificatePath => Path("wrong-ca.crt");

    /// <summary>
    /// A server-certificate check that trusts only <paramref name="trustedCa"/> (not the machine's store) and
    /// requires the name the client asked for to match.
    /// </summary>
    public static RemoteCertificateValidationCallback CreateValidator(X509Certificate2 trustedCa)
    {
        ArgumentNullException.ThrowIfNull(trustedCa);
        return (_, certificate, _, errors) =>
        {
            // Chain errors are expected (the test CA is not in the machine store) and decided below;
            // a name mismatch or a missing certificate is not.
            if (certificate is null || (errors & ~SslPolicyErrors.RemoteCertificateChainErrors) != SslPolicyErrors.None)
            {
                return false;
            }

            using var chain = new X509Chain();
            chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            chain.ChainPolicy.CustomTrustStore.Add(trustedCa);
            chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
            using var leaf = X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
            return chain.Build(leaf);
        };
    }

    private string Path(string fileName) => System.IO.Path.Combine(Directory, fileName);
}
