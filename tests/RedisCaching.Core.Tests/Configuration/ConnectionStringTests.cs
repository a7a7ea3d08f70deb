using System.Linq;
using System.Net;
using NUnit.Framework;
using RedisCaching;

namespace RedisCaching.Core.Tests.Configuration;

public class ConnectionStringTests
{
    private static StackExchange.Redis.ConfigurationOptions Build(string connectionString) =>
        new RedisConnectionOptions { ConnectionString = connectionString }.ToConfigurationOptions();

    private static string Single(StackExchange.Redis.ConfigurationOptions options) => options.EndPoints.Single() switch
    {
        DnsEndPoint dns => $"{dns.Host}:{dns.Port}",
        IPEndPoint ip => $"{ip.Address}:{ip.Port}",
        var other => other.ToString()!,
    };

    [Test]
    public void Redis_url_with_user_password_and_database_is_parsed()
    {
        var options = Build("redis://app:s3cr%40t@cache.example:6390/4");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(Single(options), Is.EqualTo("cache.example:6390"));
            Assert.That(options.User, Is.EqualTo("app"));
            Assert.That(options.Password, Is.EqualTo("s3cr@t"), "percent-encoded characters are decoded");
            Assert.That(options.DefaultDatabase, Is.EqualTo(4));
            Assert.That(options.Ssl, Is.False);
        }
    }

    [Test]
    public void Redis_url_without_port_uses_6379_and_password_only_forms_work()
    {
        using (Assert.EnterMultipleScope())
        {
            Assert.That(Single(Build("redis://localhost")), Is.EqualTo("localhost:6379"));
            var colonForm = Build("redis://:pw1@localhost");
            Assert.That(colonForm.User, Is.Null);
            Assert.That(colonForm.Password, Is.EqualTo("pw1"));
            Assert.That(Build("redis://pw2@localhost").Password, Is.EqualTo("pw2"));
        }
    }

    [Test]
    public void Rediss_url_turns_tls_on_and_leaves_the_certificate_name_to_each_endpoint()
    {
        var options = Build("rediss://cache.example:6380");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(options.Ssl, Is.True);
            Assert.That(options.SslHost, Is.Null, "a fixed SslHost would check every endpoint against the first one's name");
            Assert.That(Single(options), Is.EqualTo("cache.example:6380"));
        }
    }

    [Test]
    public void StackExchange_form_is_parsed_and_its_explicit_settings_survive_library_defaults()
    {
        var options = Build("10.1.2.3:7000,password=pw,ssl=true,connectTimeout=7000,syncTimeout=3000,abortConnect=true,name=mine");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(Single(options), Is.EqualTo("10.1.2.3:7000"));
            Assert.That(options.Password, Is.EqualTo("pw"));
            Assert.That(options.Ssl, Is.True);
            Assert.That(options.ConnectTimeout, Is.EqualTo(7000));
            Assert.That(options.SyncTimeout, Is.EqualTo(3000));
            Assert.That(options.AbortOnConnectFail, Is.True);
            Assert.That(options.ClientName, Is.EqualTo("mine"));
        }
    }

    [TestCase("localhost:6379,password=ab,cd", "ConnectionString")]
    [TestCase("", "ConnectionString")]
    [TestCase("   ", "ConnectionString")]
    [TestCase("http://localhost:6379", "scheme")]
    [TestCase("redis://localhost:6379/abc", "database")]
    [TestCase("redis://localhost:6379/-1", "database")]
    [TestCase("redis://localhost:6379?timeout=5", "query")]
    [TestCase("redis://:6379", "ConnectionString")]
    [TestCase("redis://localhost:99999", "ConnectionString")]
    [TestCase("localhost,notAKeyword=1", "ConnectionString")]
    [TestCase("localhost,connectTimeout=soon", "ConnectionString")]
    public void Bad_connection_strings_get_a_typed_error_naming_the_part(string connectionString, string part)
    {
        var error = Assert.Throws<RedisCachingConfigurationException>(() => Build(connectionString));
        Assert.That(error!.Setting, Is.EqualTo(part), error.Message);
    }

    [TestCase("localhost,password=TopSecret123,connectTimeout=soon")]
    [TestCase("localhost,password=TopSecret123,bogus=TopSecret123")]
    [TestCase("redis://user:TopSecret123@localhost:6379/xyz")]
    [TestCase("redis://user:TopSecret123@localhost:6379?q=1")]
    [TestCase("ftp://user:TopSecret123@localhost")]
    [TestCase("TopSecret123://localhost")]
    [TestCase("localhost:6379,password=Top,Secret123")]
    public void Errors_never_echo_the_password(string connectionString)
    {
        var error = Assert.Throws<RedisCachingConfigurationException>(() => Build(connectionString));
        using (Assert.EnterMultipleScope())
        {
            Assert.That(error!.Message, Does.Not.Contain("TopSecret123"));
            Assert.That(error.ToString(), Does.Not.Contain("TopSecret123"), "nor does the exception chain");
        }
    }
}

public class ConnectionStringSecretTests
{
    [Test]
    public void A_url_later_in_a_StackExchange_string_is_not_mistaken_for_a_scheme()
    {
        var options = new RedisConnectionOptions { ConnectionString = "localhost:6379,password=hunter2,tunnel=http://proxy:8080" };
        try
        {
            _ = options.ToConfigurationOptions();
        }
        catch (RedisCachingConfigurationException ex)
        {
            Assert.That(ex.ToString(), Does.Not.Contain("hunter2"));
            Assert.That(ex.Setting, Is.Not.EqualTo("scheme"));
        }
    }

    [Test]
    public void A_bare_host_is_still_accepted_as_the_first_part()
    {
        var options = new RedisConnectionOptions { ConnectionString = "localhost,password=pw" }.ToConfigurationOptions();
        Assert.That(options.EndPoints, Has.Count.EqualTo(1));
    }
}
