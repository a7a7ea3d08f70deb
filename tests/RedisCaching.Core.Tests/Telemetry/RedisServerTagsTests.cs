using NUnit.Framework;
using RedisCaching.Internal.Telemetry;

namespace RedisCaching.Core.Tests.Telemetry;

/// <summary>
/// <c>server.address</c> / <c>server.port</c> from each way an address is given. Found through the sample's Prometheus
/// scrape: with REDIS_URL the address was the whole URI and the port 6379.
/// </summary>
public class RedisServerTagsTests
{
    [TestCase("redis://127.0.0.1:38125", "127.0.0.1", 38125)]
    [TestCase("redis://app:secret@cache.internal:6380/2", "cache.internal", 6380)]
    [TestCase("rediss://cache.internal", "cache.internal", 6379)]
    [TestCase("cache.internal:6390,password=secret", "cache.internal", 6390)]
    [TestCase("10.0.0.5", "10.0.0.5", 6379)]
    public void A_connection_string_gives_its_first_host_and_port(string connectionString, string address, int port)
    {
        var tags = RedisServerTags.From(new RedisConnectionOptions { ConnectionString = connectionString });
        using (Assert.EnterMultipleScope())
        {
            Assert.That(tags.Address, Is.EqualTo(address));
            Assert.That(tags.Port, Is.EqualTo(port));
            Assert.That(tags.PortTag, Is.EqualTo(port));
        }
    }

    [Test]
    public void Host_and_port_options_win()
    {
        var tags = RedisServerTags.From(new RedisConnectionOptions { ConnectionString = "redis://other:1", Host = "cache", Port = 6381 });
        Assert.That((tags.Address, tags.Port), Is.EqualTo(("cache", (int?)6381)));
    }

    [Test]
    public void A_connection_string_the_connection_will_reject_gives_no_address_instead_of_throwing()
    {
        var tags = RedisServerTags.From(new RedisConnectionOptions { ConnectionString = "http://cache:6379" });
        Assert.That((tags.Address, tags.Port), Is.EqualTo(((string?)null, (int?)null)));
    }
}
