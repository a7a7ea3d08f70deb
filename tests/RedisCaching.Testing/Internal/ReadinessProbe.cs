using System;
using System.IO;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace RedisCaching.Testing;

/// <summary>
/// "Does the server answer?" over a raw socket (TLS when needed): cheaper than spawning redis-cli per attempt and
/// independent of the client library under test.
/// </summary>
internal static class ReadinessProbe
{
    private static readonly byte[] Ping = Encoding.ASCII.GetBytes("PING\r\n");

    /// <summary>
    /// True when the server replied to PING. Any reply counts except LOADING: NOAUTH or NOPERM still prove the
    /// server is serving, and the probe has no business authenticating.
    /// </summary>
    public static async Task<bool> AnswersAsync(string host, int port, RedisTestTls? tls, TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            using var client = new TcpClient();
            await client.ConnectAsync(host, port, cts.Token).ConfigureAwait(false);
            Stream stream = client.GetStream();
            if (tls is not null)
            {
                var ssl = new SslStream(stream, leaveInnerStreamOpen: false);
                stream = ssl;
                await ssl.AuthenticateAsClientAsync(
                    new SslClientAuthenticationOptions
                    {
                        TargetHost = RedisTestTls.ServerHostName,
                        ClientCertificates = new X509CertificateCollection { tls.ClientCertificate },
                        RemoteCertificateValidationCallback = RedisTestTls.CreateValidator(tls.CaCertificate),
                    },
                    cts.Token).ConfigureAwait(false);
            }

            await using (stream.ConfigureAwait(false))
            {
                await stream.WriteAsync(Ping, cts.Token).ConfigureAwait(false);
                var buffer = new byte[256];
                var read = await stream.ReadAsync(buffer, cts.Token).ConfigureAwait(false);
                if (read == 0)
                {
                    return false;
                }

                var reply = Encoding.ASCII.GetString(buffer, 0, read);
                return !reply.StartsWith("-LOADING", StringComparison.Ordinal);
            }
        }
        catch (Exception ex) when (ex is SocketException or IOException or OperationCanceledException or AuthenticationException)
        {
            return false;
        }
    }
}
