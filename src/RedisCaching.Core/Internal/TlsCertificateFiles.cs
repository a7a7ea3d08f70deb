using System;
using System.Collections.Generic;
using System.IO;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Threading;

namespace RedisCaching.Internal;

/// <summary>
/// Certificates loaded from files, each once per owner and disposed with it (they hold private keys and native
/// handles). A connection owns one for its lifetime; validation uses a short-lived one.
/// </summary>
internal sealed class TlsCertificateFiles : IDisposable
{
    private readonly Dictionary<string, X509Certificate2> _loaded = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();

    public X509Certificate2 LoadCertificate(string setting, string path) =>
        GetOrLoad("ca|" + path, () =>
        {
            RequireFile(setting, path);
            var text = File.ReadAllText(path);
            return text.Contains("-----BEGIN", StringComparison.Ordinal)
                ? X509Certificate2.CreateFromPem(text)
                : X509CertificateLoader.LoadCertificateFromFile(path);
        }, setting, path);

    public X509Certificate2 LoadClientCertificate(string path, string? keyPath, string? password)
    {
        const string setting = "Tls:ClientCertificatePath";
        return GetOrLoad("client|" + path + "|" + keyPath, () =>
        {
            RequireFile(setting, path);
            if (keyPath is null)
            {
                return X509CertificateLoader.LoadPkcs12FromFile(path, password);
            }

            RequireFile("Tls:ClientKeyPath", keyPath);
            return password is null
                ? X509Certificate2.CreateFromPemFile(path, keyPath)
                : X509Certificate2.CreateFromEncryptedPemFile(path, password, keyPath);
        }, setting, path);
    }

    public void Dispose()
    {
        lock (_gate)
        {
            foreach (var certificate in _loaded.Values)
            {
                certificate.Dispose();
            }

            _loaded.Clear();
        }
    }

    private X509Certificate2 GetOrLoad(string cacheKey, Func<X509Certificate2> load, string setting, string path)
    {
        lock (_gate)
        {
            if (_loaded.TryGetValue(cacheKey, out var existing))
            {
                return existing;
            }

            try
            {
                var loaded = load();
                _loaded[cacheKey] = loaded;
                return loaded;
            }
            catch (CryptographicException ex)
            {
                // The message of a wrong password says so without echoing it.
                throw new RedisCachingConfigurationException(setting, $"{setting}: the certificate '{path}' could not be loaded: {ex.Message}");
            }
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
