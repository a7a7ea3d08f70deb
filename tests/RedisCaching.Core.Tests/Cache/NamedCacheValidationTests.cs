using System;
using System.Collections.Generic;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using NUnit.Framework;

namespace RedisCaching.Core.Tests.Cache;

/// <summary>Named caches with bad settings fail at start-up, with messages that say what to fix (no server needed).</summary>
public class NamedCacheValidationTests
{
    private static Exception? StartUp(Action<IRedisCachingBuilder> named, Dictionary<string, string?>? settings = null)
    {
        var values = new Dictionary<string, string?> { ["RedisCaching:Redis:ConnectionString"] = "localhost:6379" };
        foreach (var (key, value) in settings ?? [])
        {
            values[key] = value;
        }

        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().AddInMemoryCollection(values).Build());
        named(services.AddRedisCaching().WithoutEnvironmentVariables());
        using var provider = services.BuildServiceProvider();
        try
        {
            provider.GetRequiredService<IStartupValidator>().Validate();
            return null;
        }
        catch (Exception ex)
        {
            TestContext.Out.WriteLine(ex.Message);
            return ex;
        }
    }

    [Test]
    public void Valid_named_caches_start()
    {
        Assert.That(StartUp(b => b.AddNamedCache("reports").AddNamedCache("sessions", o => o.Keys.Prefix = "sess")), Is.Null);
    }

    [Test]
    public void A_configured_cache_nobody_registered_is_reported_with_the_registered_names()
    {
        var error = StartUp(b => b.AddNamedCache("reports"), new() { ["RedisCaching:Caches:reprts:Defaults:Expiration"] = "00:01:00" });
        Assert.That(error?.Message, Does.Contain("RedisCaching:Caches:reprts is configured").And.Contain("registered: reports").And.Contain("AddNamedCache(\"reprts\")"));
    }

    [Test]
    public void Names_that_differ_only_in_case_are_rejected()
    {
        var error = StartUp(b => b.AddNamedCache("reports").AddNamedCache("Reports", o => o.Keys.Namespace = "other"));
        Assert.That(error?.Message, Does.Contain("differ only in case"));
    }

    [Test]
    public void Two_named_caches_with_one_key_space_are_rejected()
    {
        var error = StartUp(b => b.AddNamedCache("reports").AddNamedCache("exports", o => o.Keys.Namespace = "reports"));
        Assert.That(error?.Message, Does.Contain("Named cache 'exports' would share the key space 'rc:reports:' with named cache 'reports'").And.Contain("Keys:Namespace"));
    }

    [Test]
    public void A_named_cache_in_the_main_caches_key_space_is_rejected()
    {
        var error = StartUp(b => b.AddNamedCache("reports", o => o.Keys.Namespace = null));
        Assert.That(error?.Message, Does.Contain("with the main cache"));
    }

    [TestCase("RedisCaching:Caches:reports:Keys:Prefix", "a:b", "Keys:Prefix")]
    [TestCase("RedisCaching:Caches:reports:Keys:AllowedPunctuation", "-!", "Keys:AllowedPunctuation")]
    [TestCase("RedisCaching:Caches:reports:Defaults:Expiration", "-00:00:01", "DefaultEntryOptions.Expiration")]
    [TestCase("RedisCaching:Caches:reports:Defaults:Expiration", "soon", "RedisCaching:Caches:reports:Defaults:Expiration")]
    [TestCase("RedisCaching:Caches:reports:Profiles:weekly:DistributedLockTimeout", "-00:00:01", "Profiles:weekly:DistributedLockTimeout")]
    [TestCase("RedisCaching:Caches:reports:Memory:MaxEntries", "0", "Memory:MaxEntries")]
    public void Bad_named_cache_settings_are_rejected_naming_the_cache_and_the_key(string key, string value, string named)
    {
        var error = StartUp(b => b.AddNamedCache("reports"), new() { [key] = value });
        Assert.That(error?.Message, Does.Contain(named).And.Contain("reports"));
    }

    [Test]
    public void Without_named_caches_the_provider_is_there_and_empty()
    {
        var services = new ServiceCollection();
        services.AddRedisCaching(o => o.Redis.ConnectionString = "localhost:6379").WithoutEnvironmentVariables();
        using var provider = services.BuildServiceProvider();
        var caches = provider.GetRequiredService<ICacheProvider>();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(caches.Names, Is.Empty);
            Assert.That(() => caches.GetCache("reports"), Throws.ArgumentException.With.Message.Contains("registered: none"));
        }
    }

    [TestCase("")]
    [TestCase(" ")]
    [TestCase("a:b")]
    [TestCase("two words")]
    public void A_name_that_cannot_be_a_section_or_namespace_is_refused_at_registration(string name)
    {
        var services = new ServiceCollection();
        Assert.That(() => services.AddRedisCaching().AddNamedCache(name), Throws.ArgumentException);
    }
}
