using System;
using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using NUnit.Framework;
using RedisCaching.Internal;

namespace RedisCaching.Core.Tests.Configuration;

/// <summary>The custom-CA validator keeps every check but the system trust store.</summary>
public class ServerCertificateValidatorTests
{
    private const string ServerAuth = "1.3.6.1.5.5.7.3.1";
    private const string ClientAuth = "1.3.6.1.5.5.7.3.2";

    private static X509Certificate2 CreateCa(string name)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        return request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
    }

    private static X509Certificate2 CreateLeaf(X509Certificate2 ca, string usageOid)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=localhost", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName("localhost");
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid(usageOid)], false));
        var serial = RandomNumberGenerator.GetBytes(8);
        return request.Create(ca, DateTimeOffset.UtcNow.AddHours(-1), DateTimeOffset.UtcNow.AddDays(7), serial);
    }

    [Test]
    public void A_server_certificate_from_the_trusted_ca_is_accepted()
    {
        using var ca = CreateCa("test-ca");
        using var server = CreateLeaf(ca, ServerAuth);
        Assert.That(ServerCertificateValidator.Validate(server, SslPolicyErrors.RemoteCertificateChainErrors, ca, X509RevocationMode.NoCheck), Is.True);
    }

    [Test]
    public void A_client_only_certificate_from_the_trusted_ca_is_not_accepted_as_a_server()
    {
        using var ca = CreateCa("test-ca");
        using var clientOnly = CreateLeaf(ca, ClientAuth);
        Assert.That(ServerCertificateValidator.Validate(clientOnly, SslPolicyErrors.RemoteCertificateChainErrors, ca, X509RevocationMode.NoCheck), Is.False);
    }

    [Test]
    public void Another_ca_or_a_name_mismatch_is_rejected()
    {
        using var ca = CreateCa("test-ca");
        using var other = CreateCa("other-ca");
        using var server = CreateLeaf(ca, ServerAuth);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(ServerCertificateValidator.Validate(server, SslPolicyErrors.RemoteCertificateChainErrors, other, X509RevocationMode.NoCheck), Is.False);
            Assert.That(ServerCertificateValidator.Validate(server, SslPolicyErrors.RemoteCertificateNameMismatch, ca, X509RevocationMode.NoCheck), Is.False);
            Assert.That(ServerCertificateValidator.Validate(null, SslPolicyErrors.RemoteCertificateNotAvailable, ca, X509RevocationMode.NoCheck), Is.False);
        }
    }
}
