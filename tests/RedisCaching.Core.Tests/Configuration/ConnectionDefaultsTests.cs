using System;
using System.Linq;
using System.Net;
using NUnit.Framework;
using RedisCaching;
using StackExchange.Redis;

namespace RedisCaching.Core.Tests.Configuration;

public class ConnectionDefaultsTests
{
    [Test]
    public void Defaults_are_the_resilient_ones_a_cache_needs()
    {
        var options = new RedisConnectionOptions { ConnectionString = "localhost:6379" }.ToConfigurationOptions();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(options.AbortOnConnectFail, Is.False, "the host app starts while Redis is down");
            Assert.That(options.ConnectTimeout, Is.EqualTo(2000));
            Assert.That(options.SyncTimeout, Is.EqualTo(1000));
            Assert.That(options.AsyncTimeout, Is.EqualTo(1000));
            Assert.That(options.KeepAlive, Is.EqualTo(15));
            Assert.That(options.BacklogPolicy, Is.SameAs(BacklogPolicy.FailFast));
            Assert.That(options.ReconnectRetryPolicy, Is.InstanceOf<ExponentialRetry>());
            Assert.That(options.ClientName, Is.EqualTo("RedisCaching"));
            Assert.That(options.IncludeDetailInExceptions, Is.False, "exceptions must not carry keys into logs");
            Assert.That(options.HeartbeatInterval, Is.EqualTo(TimeSpan.FromMilliseconds(250)));
            Assert.That(options.Ssl, Is.False);
        }
    }

    [Test]
    public void Explicit_options_override_the_connection_string()
    {
        var options = new RedisConnectionOptions
        {
            ConnectionString = "redis://u:p@first:1111/1",
            Host = "second",
            Port = 2222,
            User = "other",
            Password = "newpw",
            Database = 3,
            ConnectTimeout = TimeSpan.FromMilliseconds(700),
            CommandTimeout = TimeSpan.FromMilliseconds(300),
            FailFastWhenDisconnected = false,
            AbortOnConnectFail = true,
            Protocol = RedisProtocol.Resp2,
            HighIntegrity = true,
        }.ToConfigurationOptions();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(options.EndPoints.Single(), Is.EqualTo(new DnsEndPoint("second", 2222)));
            Assert.That(options.User, Is.EqualTo("other"));
            Assert.That(options.Password, Is.EqualTo("newpw"));
            Assert.That(options.DefaultDatabase, Is.EqualTo(3));
            Assert.That(options.ConnectTimeout, Is.EqualTo(700));
            Assert.That(options.AsyncTimeout, Is.EqualTo(300));
            Assert.That(options.BacklogPolicy, Is.Not.SameAs(BacklogPolicy.FailFast));
            Assert.That(options.AbortOnConnectFail, Is.True);
            Assert.That(options.Protocol, Is.EqualTo(RedisProtocol.Resp2));
            Assert.That(options.HighIntegrity, Is.True);
            Assert.That(options.HeartbeatInterval, Is.EqualTo(TimeSpan.FromMilliseconds(100)), "timeouts are checked often enough for a short deadline");
        }
    }

    [Test]
    public void Port_alone_replaces_the_port_of_the_single_endpoint()
    {
        var options = new RedisConnectionOptions { ConnectionString = "redis://cache:6379", Port = 7001 }.ToConfigurationOptions();
        Assert.That(options.EndPoints.Single(), Is.EqualTo(new DnsEndPoint("cache", 7001)));
    }

    [Test]
    public void Endpoints_are_added_and_bad_ones_are_named()
    {
        var options = new RedisConnectionOptions { Host = "a" };
        options.Endpoints.Add("b:7000");
        Assert.That(options.ToConfigurationOptions().EndPoints, Has.Count.EqualTo(2));

        options.Endpoints.Add("not an endpoint:x");
        var error = Assert.Throws<RedisCachingConfigurationException>(() => options.ToConfigurationOptions());
        Assert.That(error!.Setting, Is.EqualTo("Endpoints"));
    }

    [Test]
    public void No_endpoint_at_all_says_what_to_set()
    {
        var error = Assert.Throws<RedisCachingConfigurationException>(() => new RedisConnectionOptions().ToConfigurationOptions());
        Assert.That(error!.Message, Does.Contain("REDIS_URL").And.Contain("ConnectionString"));
    }

    [TestCase(0)]
    [TestCase(70000)]
    public void Port_out_of_range_is_rejected(int port)
    {
        var error = Assert.Throws<RedisCachingConfigurationException>(() => new RedisConnectionOptions { Host = "h", Port = port }.ToConfigurationOptions());
        Assert.That(error!.Setting, Is.EqualTo("Port"));
    }

    [Test]
    public void Invalid_numbers_are_rejected_with_the_setting_named()
    {
        using (Assert.EnterMultipleScope())
        {
            Assert.That(() => new RedisConnectionOptions { Host = "h", Database = -1 }.ToConfigurationOptions(),
                Throws.TypeOf<RedisCachingConfigurationException>().With.Property("Setting").EqualTo("Database"));
            Assert.That(() => new RedisConnectionOptions { Host = "h", CommandTimeout = TimeSpan.Zero }.ToConfigurationOptions(),
                Throws.TypeOf<RedisCachingConfigurationException>().With.Property("Setting").EqualTo("CommandTimeout"));
            Assert.That(() => new RedisConnectionOptions { Host = "h", PoolSize = 0 }.ToConfigurationOptions(),
                Throws.TypeOf<RedisCachingConfigurationException>().With.Property("Setting").EqualTo("PoolSize"));
            Assert.That(() => new RedisConnectionOptions { Host = "h", ReconnectBaseDelay = TimeSpan.FromSeconds(5), ReconnectMaxDelay = TimeSpan.FromSeconds(1) }.ToConfigurationOptions(),
                Throws.TypeOf<RedisCachingConfigurationException>().With.Property("Setting").EqualTo("ReconnectMaxDelay"));
        }
    }

    [Test]
    public void Tls_files_that_do_not_exist_are_named()
    {
        var options = new RedisConnectionOptions { Host = "h", Tls = { Enabled = true, CaCertificatePath = "/nonexistent/ca.pem" } };
        var error = Assert.Throws<RedisCachingConfigurationException>(() => options.ToConfigurationOptions());
        Assert.That(error!.Setting, Is.EqualTo("Tls:CaCertificatePath"));
    }

    [Test]
    public void Tls_checks_each_endpoints_own_name_unless_a_server_name_is_given()
    {
        var byHost = new RedisConnectionOptions { Host = "cache.internal", Tls = { Enabled = true } }.ToConfigurationOptions();
        var byName = new RedisConnectionOptions { Host = "10.0.0.5", Tls = { Enabled = true, ServerName = "cache.internal" } }.ToConfigurationOptions();
        var moved = new RedisConnectionOptions { ConnectionString = "rediss://old.example:6380", Host = "new.example" }.ToConfigurationOptions();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(byHost.Ssl, Is.True);
            Assert.That(byHost.SslHost, Is.Null);
            Assert.That(byName.SslHost, Is.EqualTo("cache.internal"));
            Assert.That(moved.SslHost, Is.Null, "the old host's name must not be checked against the new host");
            Assert.That(moved.EndPoints.Single(), Is.EqualTo(new DnsEndPoint("new.example", 6380)), "a host alone keeps the port");
        }
    }

    [Test]
    public void Tls_cannot_be_switched_off_under_a_connection_string_that_asks_for_it()
    {
        var error = Assert.Throws<RedisCachingConfigurationException>(() =>
            new RedisConnectionOptions { ConnectionString = "rediss://cache:6380", Tls = { Enabled = false } }.ToConfigurationOptions());
        Assert.That(error!.Setting, Is.EqualTo("Tls:Enabled"));
    }

    [Test]
    public void Revocation_checking_is_off_by_default_and_kept_when_asked_for()
    {
        Assert.That(new RedisConnectionOptions { Host = "h", Tls = { Enabled = true } }.ToConfigurationOptions().CheckCertificateRevocation, Is.False);
        Assert.That(new RedisConnectionOptions { Host = "h", Tls = { Enabled = true, CheckCertificateRevocation = true } }.ToConfigurationOptions().CheckCertificateRevocation, Is.True);
    }

    [Test]
    public void Revocation_checking_from_the_connection_string_is_kept()
    {
        var options = new RedisConnectionOptions { ConnectionString = "cache:6380,ssl=true,checkCertificateRevocation=true" }.ToConfigurationOptions();
        Assert.That(options.CheckCertificateRevocation, Is.True);
    }
}
