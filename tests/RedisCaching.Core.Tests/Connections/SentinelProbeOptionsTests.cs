using System.Net;
using System.Security.Authentication;
using NUnit.Framework;
using RedisCaching.Internal;
using StackExchange.Redis;

namespace RedisCaching.Core.Tests.Connections;

/// <summary>
/// The options of a connection to one sentinel (our watch and the diagnosis): the TLS of the configuration, the
/// sentinel's credentials, nothing that would send it elsewhere. That the certificate callbacks come along is proved
/// against real TLS sentinels (<c>SentinelTlsTests</c>): an event's handlers cannot be read back.
/// </summary>
public sealed class SentinelProbeOptionsTests
{
    [Test]
    public void A_probe_keeps_the_TLS_settings_and_takes_the_sentinel_credentials_and_one_endpoint()
    {
        var configuration = ConfigurationOptions.Parse("127.0.0.1:26379,127.0.0.1:26380,serviceName=mymaster,ssl=true,sslHost=redis.example,user=app,password=data-pw");
        configuration.SentinelUser = "watcher";
        configuration.SentinelPassword = "sentinel-pw";
        configuration.SslProtocols = SslProtocols.Tls13;
        configuration.CheckCertificateRevocation = false;
        configuration.ChannelPrefix = RedisChannel.Literal("app:");
        configuration.Protocol = RedisProtocol.Resp3;
        var sentinel = new IPEndPoint(IPAddress.Loopback, 26380);

        var probe = SentinelDiagnosis.SentinelProbeOptions(configuration, sentinel, abortOnConnectFail: false);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(probe.ServiceName, Is.Null, "a plain connection to the sentinel itself");
            Assert.That(probe.EndPoints, Is.EqualTo(new EndPoint[] { sentinel }));
            Assert.That((probe.User, probe.Password), Is.EqualTo(("watcher", "sentinel-pw")));
            Assert.That((probe.Ssl, probe.SslHost, probe.SslProtocols, probe.CheckCertificateRevocation), Is.EqualTo((true, "redis.example", (SslProtocols?)SslProtocols.Tls13, false)));
            Assert.That(probe.ChannelPrefix.IsNullOrEmpty, Is.True, "the sentinel's channels are literal names");
            Assert.That(probe.Protocol, Is.EqualTo(RedisProtocol.Resp2));
            Assert.That(probe.TieBreaker, Is.Empty);
            Assert.That(probe.AbortOnConnectFail, Is.False);
            Assert.That(configuration.ServiceName, Is.EqualTo("mymaster"), "the configuration itself is not changed");
        }
    }
}
