using System.Collections.Generic;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using NUnit.Framework;

namespace RedisCaching.Core.Tests.Configuration;

/// <summary>Sentinel settings from code, configuration and the connection string, and the mistakes they refuse.</summary>
public class SentinelOptionsTests
{
    [Test]
    public void Service_name_sentinel_user_and_password_reach_StackExchange_Redis()
    {
        var options = new RedisConnectionOptions { ServiceName = " mymaster ", SentinelUser = "watcher", SentinelPassword = "s-pw" };
        options.Endpoints.Add("10.0.0.1:26379");
        options.Endpoints.Add("10.0.0.2:26379");
        var built = options.ToConfigurationOptions();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(built.ServiceName, Is.EqualTo("mymaster"));
            Assert.That(built.SentinelUser, Is.EqualTo("watcher"));
            Assert.That(built.SentinelPassword, Is.EqualTo("s-pw"));
            Assert.That(built.EndPoints, Has.Count.EqualTo(2));
        }
    }

    [Test]
    public void The_connection_strings_serviceName_works_alone()
    {
        var built = new RedisConnectionOptions { ConnectionString = "10.0.0.1:26379,10.0.0.2:26379,serviceName=mymaster" }.ToConfigurationOptions();
        Assert.That(built.ServiceName, Is.EqualTo("mymaster"));
    }

    [Test]
    public void An_empty_service_name_is_refused_with_what_to_set()
    {
        var options = new RedisConnectionOptions { Host = "10.0.0.1", ServiceName = " " };
        var error = Assert.Throws<RedisCachingConfigurationException>(() => options.ToConfigurationOptions());
        Assert.That(error!.Message, Does.Contain("ServiceName"));
    }

    [Test]
    public void A_sentinel_password_without_a_service_name_is_refused_and_not_echoed()
    {
        var options = new RedisConnectionOptions { Host = "10.0.0.1", SentinelPassword = "s-pw" };
        var error = Assert.Throws<RedisCachingConfigurationException>(() => options.ToConfigurationOptions());
        Assert.That(error!.Message, Does.Contain("ServiceName").And.Not.Contain("s-pw"));
    }

    [Test]
    public void Configuration_binds_the_sentinel_settings()
    {
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["RedisCaching:Redis:Endpoints:0"] = "10.0.0.1:26379",
            ["RedisCaching:Redis:ServiceName"] = "mymaster",
            ["RedisCaching:Redis:SentinelUser"] = "watcher",
            ["RedisCaching:Redis:SentinelPassword"] = "s-pw",
        }).Build());
        services.AddRedisCaching().WithoutEnvironmentVariables();
        using var provider = services.BuildServiceProvider();
        var redis = provider.GetRequiredService<IOptions<RedisCachingOptions>>().Value.Redis;
        using (Assert.EnterMultipleScope())
        {
            Assert.That(redis.ServiceName, Is.EqualTo("mymaster"));
            Assert.That(redis.SentinelUser, Is.EqualTo("watcher"));
            Assert.That(redis.SentinelPassword, Is.EqualTo("s-pw"));
        }
    }
}
