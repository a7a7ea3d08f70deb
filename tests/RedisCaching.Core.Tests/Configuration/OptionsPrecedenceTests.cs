using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using NUnit.Framework;
using RedisCaching;
using RedisCaching.Internal;

namespace RedisCaching.Core.Tests.Configuration;

public class OptionsPrecedenceTests
{
    private static RedisConnectionOptions Resolve(
        IDictionary<string, string?>? configuration,
        IDictionary<string, string>? environment,
        Action<RedisCachingOptions>? configure = null)
    {
        var services = new ServiceCollection();
        if (configuration is not null)
        {
            services.AddSingleton<IConfiguration>(new ConfigurationBuilder().AddInMemoryCollection(configuration).Build());
        }

        var variables = environment ?? new Dictionary<string, string>();
        services.AddSingleton(new EnvironmentVariables(name => variables.TryGetValue(name, out var value) ? value : null));
        services.AddRedisCaching(configure);
        using var provider = services.BuildServiceProvider();
        return provider.GetRequiredService<IOptions<RedisCachingOptions>>().Value.Redis;
    }

    [Test]
    public void Configuration_section_binds_every_setting()
    {
        var redis = Resolve(
            new Dictionary<string, string?>
            {
                ["RedisCaching:Redis:ConnectionString"] = "redis://cfg:6379",
                ["RedisCaching:Redis:User"] = "app",
                ["RedisCaching:Redis:Password"] = "pw",
                ["RedisCaching:Redis:Database"] = "2",
                ["RedisCaching:Redis:CommandTimeout"] = "00:00:00.400",
                ["RedisCaching:Redis:ConnectTimeout"] = "00:00:03",
                ["RedisCaching:Redis:AbortOnConnectFail"] = "true",
                ["RedisCaching:Redis:Protocol"] = "resp2",
                ["RedisCaching:Redis:PoolSize"] = "2",
                ["RedisCaching:Redis:Endpoints:0"] = "cfg2:6380",
                ["RedisCaching:Redis:Tls:Enabled"] = "true",
                ["RedisCaching:Redis:Tls:ServerName"] = "cache.internal",
            },
            environment: null);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(redis.ConnectionString, Is.EqualTo("redis://cfg:6379"));
            Assert.That(redis.User, Is.EqualTo("app"));
            Assert.That(redis.Password, Is.EqualTo("pw"));
            Assert.That(redis.Database, Is.EqualTo(2));
            Assert.That(redis.CommandTimeout, Is.EqualTo(TimeSpan.FromMilliseconds(400)));
            Assert.That(redis.ConnectTimeout, Is.EqualTo(TimeSpan.FromSeconds(3)));
            Assert.That(redis.AbortOnConnectFail, Is.True);
            Assert.That(redis.Protocol, Is.EqualTo(StackExchange.Redis.RedisProtocol.Resp2));
            Assert.That(redis.PoolSize, Is.EqualTo(2));
            Assert.That(redis.Endpoints, Is.EqualTo(new[] { "cfg2:6380" }));
            Assert.That(redis.Tls.Enabled, Is.True);
            Assert.That(redis.Tls.ServerName, Is.EqualTo("cache.internal"));
        }
    }

    [Test]
    public void Environment_overrides_configuration_and_code_overrides_both()
    {
        var configuration = new Dictionary<string, string?>
        {
            ["RedisCaching:Redis:ConnectionString"] = "redis://cfg:6379",
            ["RedisCaching:Redis:Password"] = "from-config",
            ["RedisCaching:Redis:Database"] = "1",
        };
        var environment = new Dictionary<string, string> { ["REDIS_URL"] = "redis://env:6390/5", ["REDIS_PASSWORD"] = "from-env" };

        var withoutCode = Resolve(configuration, environment);
        var withCode = Resolve(configuration, environment, o => o.Redis.Database = 9);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(withoutCode.ConnectionString, Is.EqualTo("redis://env:6390/5"));
            Assert.That(withoutCode.Password, Is.EqualTo("from-env"));
            Assert.That(withoutCode.Database, Is.Null, "REDIS_URL brings its own database (5), so the configured 1 is dropped");
            Assert.That(withoutCode.ToConfigurationOptions().DefaultDatabase, Is.EqualTo(5));
            Assert.That(withCode.ToConfigurationOptions().DefaultDatabase, Is.EqualTo(9));
        }
    }

    [Test]
    public void Host_port_and_db_variables_override_parts_of_REDIS_URL()
    {
        var redis = Resolve(null, new Dictionary<string, string>
        {
            ["REDIS_URL"] = "redis://url-host:6379/1",
            ["REDIS_HOST"] = "env-host",
            ["REDIS_PORT"] = "6400",
            ["REDIS_DB"] = "7",
        });
        var options = redis.ToConfigurationOptions();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(options.EndPoints[0], Is.EqualTo(new System.Net.DnsEndPoint("env-host", 6400)));
            Assert.That(options.DefaultDatabase, Is.EqualTo(7));
        }
    }

    [Test]
    public void Environment_variables_can_be_switched_off()
    {
        var redis = Resolve(
            new Dictionary<string, string?> { ["RedisCaching:Redis:Host"] = "cfg", ["RedisCaching:Redis:UseEnvironmentVariables"] = "false" },
            new Dictionary<string, string> { ["REDIS_HOST"] = "env" });
        Assert.That(redis.Host, Is.EqualTo("cfg"));
    }

    [Test]
    public void A_connection_string_set_in_code_replaces_the_address_of_earlier_layers()
    {
        var redis = Resolve(
            new Dictionary<string, string?> { ["RedisCaching:Redis:Host"] = "cfg-host", ["RedisCaching:Redis:Password"] = "cfg-pw" },
            new Dictionary<string, string> { ["REDIS_HOST"] = "env-host" },
            o => o.Redis.ConnectionString = "redis://app:secret@code-host:6390/0");
        var options = redis.ToConfigurationOptions();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(options.EndPoints.Single(), Is.EqualTo(new System.Net.DnsEndPoint("code-host", 6390)), "code's credentials go to code's host only");
            Assert.That(options.Password, Is.EqualTo("secret"));
            Assert.That(options.User, Is.EqualTo("app"));
        }
    }

    [Test]
    public void Code_that_sets_parts_only_overrides_those_parts()
    {
        var redis = Resolve(
            new Dictionary<string, string?> { ["RedisCaching:Redis:ConnectionString"] = "redis://cfg:6379/1" },
            environment: null,
            o => o.Redis.Database = 4);
        var options = redis.ToConfigurationOptions();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(options.EndPoints.Single(), Is.EqualTo(new System.Net.DnsEndPoint("cfg", 6379)));
            Assert.That(options.DefaultDatabase, Is.EqualTo(4));
        }
    }

    [Test]
    public void REDIS_URL_with_tls_wins_over_a_configured_tls_switch_and_server_name()
    {
        var redis = Resolve(
            new Dictionary<string, string?>
            {
                ["RedisCaching:Redis:Host"] = "cfg",
                ["RedisCaching:Redis:Tls:Enabled"] = "false",
                ["RedisCaching:Redis:Tls:ServerName"] = "cfg.internal",
            },
            new Dictionary<string, string> { ["REDIS_URL"] = "rediss://:pw@prod.example:6380" });
        var options = redis.ToConfigurationOptions();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(options.Ssl, Is.True, "the password must not go out in clear text");
            Assert.That(options.SslHost, Is.Null, "the configured name belonged to the configured host");
            Assert.That(options.EndPoints.Single(), Is.EqualTo(new System.Net.DnsEndPoint("prod.example", 6380)));
        }
    }

    [Test]
    public void REDIS_HOST_keeps_the_port_of_REDIS_URL()
    {
        var redis = Resolve(null, new Dictionary<string, string> { ["REDIS_URL"] = "redis://old:6380", ["REDIS_HOST"] = "new" });
        Assert.That(redis.ToConfigurationOptions().EndPoints.Single(), Is.EqualTo(new System.Net.DnsEndPoint("new", 6380)));
    }

    [Test]
    public void A_bad_REDIS_URL_is_named_as_such_without_its_password()
    {
        var error = Assert.Throws<RedisCachingConfigurationException>(() =>
            Resolve(null, new Dictionary<string, string> { ["REDIS_URL"] = "redis://u:Hidden999@host:6379/nope" }));
        using (Assert.EnterMultipleScope())
        {
            Assert.That(error!.Setting, Is.EqualTo("REDIS_URL"));
            Assert.That(error.Message, Does.Not.Contain("Hidden999"));
        }
    }

    [Test]
    public void WithoutEnvironmentVariables_ignores_them()
    {
        var services = new ServiceCollection();
        services.AddSingleton(new EnvironmentVariables(name => name == "REDIS_HOST" ? "env" : null));
        services.AddRedisCaching(o => o.Redis.Host = "code").WithoutEnvironmentVariables();
        services.AddRedisCaching(o => o.Redis.Port = 7000);
        using var provider = services.BuildServiceProvider();
        var redis = provider.GetRequiredService<IOptions<RedisCachingOptions>>().Value.Redis;
        Assert.That(redis.ToConfigurationOptions().EndPoints.Single(), Is.EqualTo(new System.Net.DnsEndPoint("code", 7000)));
    }

    [Test]
    public void A_host_supplied_multiplexer_needs_no_connection_options_at_start_up()
    {
        var services = new ServiceCollection();
        services.AddSingleton(EnvironmentVariables.None);
        services.AddRedisCaching().UseConnectionMultiplexer(_ => throw new AssertionException("not resolved in this test"));
        using var provider = services.BuildServiceProvider();
        Assert.That(() => provider.GetRequiredService<IStartupValidator>().Validate(), Throws.Nothing);
    }

    [Test]
    public void Start_up_validation_reports_a_missing_endpoint()
    {
        var services = new ServiceCollection();
        services.AddSingleton(EnvironmentVariables.None);
        services.AddRedisCaching();
        using var provider = services.BuildServiceProvider();
        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IStartupValidator>().Validate());
        Assert.That(error!.Message, Does.Contain("No Redis endpoint"));
    }

    [TestCase("REDIS_PORT", "abc")]
    [TestCase("REDIS_DB", "-2")]
    public void Bad_environment_values_name_the_variable(string name, string value)
    {
        var error = Assert.Throws<RedisCachingConfigurationException>(() => Resolve(null, new Dictionary<string, string> { [name] = value }));
        Assert.That(error!.Setting, Is.EqualTo(name));
    }

    [TestCase("Port", "six")]
    [TestCase("CommandTimeout", "fast")]
    [TestCase("AbortOnConnectFail", "maybe")]
    [TestCase("Protocol", "resp9")]
    public void Bad_configuration_values_name_the_key_without_echoing_the_value(string key, string value)
    {
        var error = Assert.Throws<RedisCachingConfigurationException>(() => Resolve(
            new Dictionary<string, string?> { ["RedisCaching:Redis:Host"] = "h", ["RedisCaching:Redis:" + key] = value },
            environment: null));
        using (Assert.EnterMultipleScope())
        {
            Assert.That(error!.Setting, Is.EqualTo("RedisCaching:Redis:" + key));
            Assert.That(error.Message, Does.Not.Contain(value));
        }
    }

    [Test]
    public void Invalid_options_fail_validation_with_what_to_fix()
    {
        var error = Assert.Throws<OptionsValidationException>(() => Resolve(null, null, o => o.Redis.ConnectionString = "redis://h:6379/x"));
        Assert.That(error!.Message, Does.Contain("database"));
    }
}
