using System;
using System.IO;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace RedisCaching.Testing;

/// <summary>
/// The certificates every TLS test server uses, made once per process with <see cref="CertificateRequest"/>:
/// ECDSA P-256 keys, because they take microseconds to make where RSA takes tens of milliseconds.
/// </summary>
internal sealed class TestCertificateSet
{
    private static readonly Lazy<TestCertificateSet> Shared = new(Create);

    private TestCertificateSet(X509Certificate2 ca, X509Certificate2 server, X509Certificate2 client, X509Certificate2 wrongCa, X509Certificate2 wrongCaClient)
    {
        Ca = ca;
        Server = server;
        Client = client;
        WrongCa = wrongCa;
        WrongCaClient = wrongCaClient;
    }

    public static TestCertificateSet Instance => Shared.Value;

    public X509Certificate2 Ca { get; }

    public X509Certificate2 Server { get; }

    public X509Certificate2 Client { get; }

    public X509Certificate2 WrongCa { get; }

    public X509Certificate2 WrongCaClient { get; }

    /// <summary>Writes the PEM files redis-server and redis-cli read into <paramref name="directory"/>.</summary>
    public RedisTestTls WriteTo(string directory)
    {
        var tls = new RedisTestTls(directory, this);
        File.WriteAllText(tls.CaCertificatePath, Ca.ExportCertificatePem());
        File.WriteAllText(tls.ServerCertificatePath, Server.ExportCertificatePem());
        File.WriteAllText(tls.ServerKeyPath, ExportKeyPem(Server));
        File.WriteAllText(tls.ClientCertificatePath, Client.ExportCertificatePem());
        File.WriteAllText(tls.ClientKeyPath, ExportKeyPem(Client));
        File.WriteAllText(tls.WrongCaCertificatePath, WrongCa.ExportCertificatePem());
        return tls;
    }

    private static TestCertificateSet Create()
    {
        using var caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var wrongCaKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var caWithKey = CreateCa("RedisCaching Test CA", caKey);
        using var wrongCaWithKey = CreateCa("RedisCaching Wrong CA", wrongCaKey);

        var sans = new SubjectAlternativeNameBuilder();
        sans.AddDnsName(RedisTestTls.ServerHostName);
        sans.AddIpAddress(IPAddress.Loopback);
        var server = CreateLeaf("CN=" + RedisTestTls.ServerHostName, caWithKey, "1.3.6.1.5.5.7.3.1", sans);
        var client = CreateLeaf("CN=rediscaching-test-client", caWithKey, "1.3.6.1.5.5.7.3.2", sans: null);
        var wrongCaClient = CreateLeaf("CN=rediscaching-wrong-client", wrongCaWithKey, "1.3.6.1.5.5.7.3.2", sans: null);

        // Clients only need the CAs' public parts; keeping the keys out of them means nothing can sign by mistake.
        return new TestCertificateSet(
            X509CertificateLoader.LoadCertificate(caWithKey.RawData),
            server,
            client,
            X509CertificateLoader.LoadCertificate(wrongCaWithKey.RawData),
            wrongCaClient);
    }

    private static X509Certificate2 CreateCa(string name, ECDsa key)
    {
        var request = new CertificateRequest("CN=" + name, key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(certificateAuthority: true, hasPathLengthConstraint: true, pathLengthConstraint: 0, critical: true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, critical: true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, critical: false));
        var now = DateTimeOffset.UtcNow;
        return request.CreateSelfSigned(now.AddDays(-1), now.AddYears(1));
    }

    private static X509Certificate2 CreateLeaf(string subject, X509Certificate2 issuer, string extendedKeyUsageOid, SubjectAlternativeNameBuilder? sans)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(certificateAuthority: false, hasPathLengthConstraint: false, pathLengthConstraint: 0, critical: true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyAgreement, critical: true));
        // OpenSSL checks the purpose: redis-server wants clientAuth on client certificates, clients want serverAuth.
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid(extendedKeyUsageOid)], critical: false));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, critical: false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(issuer, includeKeyIdentifier: true, includeIssuerAndSerial: false));
        if (sans is not null)
        {
            request.CertificateExtensions.Add(sans.Build(critical: false));
        }

        var now = DateTimeOffset.UtcNow;
        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7F; // a positive serial number, as RFC 5280 asks
        using var publicOnly = request.Create(issuer, now.AddDays(-1), now.AddMonths(6), serial);
        return publicOnly.CopyWithPrivateKey(key);
    }

    private static string ExportKeyPem(X509Certificate2 certificate)
    {
        using var key = certificate.GetECDsaPrivateKey() ?? throw new InvalidOperationException("The certificate has no ECDSA private key.");
        return key.ExportPkcs8PrivateKeyPem();
    }
}
