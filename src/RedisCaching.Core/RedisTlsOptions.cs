using System;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;

namespace RedisCaching;

/// <summary>
/// TLS settings. Server certificates are always validated; a custom CA narrows who is trusted, it never turns
/// validation off. Certificates come in fixed/callback pairs so a rotated certificate is picked up on reconnect.
/// </summary>
public sealed class RedisTlsOptions
{
    /// <summary>
    /// Whether to use TLS. <see langword="null"/> keeps what the connection string says (<c>rediss://</c>, <c>ssl=true</c>);
    /// <see langword="false"/> together with a connection string that asks for TLS is a configuration error, never a downgrade.
    /// </summary>
    public bool? Enabled { get; set; }

    /// <summary>
    /// The host name expected in every server certificate and sent as SNI. Leave it unset to check each endpoint's
    /// certificate against that endpoint's own host (the safe default with several endpoints).
    /// </summary>
    public string? ServerName { get; set; }

    /// <summary>Path of a PEM or DER file with the CA that signs the server certificate; when set, only this CA is trusted.</summary>
    public string? CaCertificatePath { get; set; }

    /// <summary>Path of the client certificate: a PFX/PKCS#12 file, or a PEM file (then <see cref="ClientKeyPath"/> holds the key).</summary>
    public string? ClientCertificatePath { get; set; }

    /// <summary>Path of the PEM private key of a PEM client certificate.</summary>
    public string? ClientKeyPath { get; set; }

    /// <summary>Password of the PFX file or the encrypted PEM key. Never logged.</summary>
    public string? ClientCertificatePassword { get; set; }

    /// <summary>Whether to check revocation of the server certificate (needs the CRL/OCSP endpoints to be reachable).</summary>
    /// <value>The default value is what the connection string says, else <see langword="false"/>.</value>
    public bool? CheckCertificateRevocation { get; set; }

    /// <summary>The TLS versions allowed; <see langword="null"/> lets the operating system choose.</summary>
    public SslProtocols? Protocols { get; set; }

    /// <summary>A fixed CA certificate to trust (code only); overrides <see cref="CaCertificatePath"/>.</summary>
    public X509Certificate2? RootCertificate { get; set; }

    /// <summary>Called at each connect for the CA to trust (code only), so a rotated CA is picked up; overrides the fixed one.</summary>
    public Func<X509Certificate2?>? RootCertificateCallback { get; set; }

    /// <summary>A fixed client certificate with its private key (code only); overrides <see cref="ClientCertificatePath"/>.</summary>
    public X509Certificate2? ClientCertificate { get; set; }

    /// <summary>Called at each connect for the client certificate (code only), so a rotated certificate is used without a restart.</summary>
    public Func<X509Certificate2?>? ClientCertificateCallback { get; set; }
}
