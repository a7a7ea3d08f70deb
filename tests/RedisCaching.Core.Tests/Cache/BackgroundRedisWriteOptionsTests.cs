using System.Collections.Generic;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using NUnit.Framework;
using RedisCaching.Internal.Engine;

namespace RedisCaching.Core.Tests.Cache;

/// <summary><see cref="CacheEntryOptions.BackgroundRedisWrite"/>: off unless asked for; call, then profile, then defaults; bound from configuration.</summary>
public class BackgroundRedisWriteOptionsTests
{
    [Test]
    public void Resolves_from_the_call_then_the_profile_then_the_defaults()
    {
        var profiles = new Dictionary<string, CacheEntryOptions> { ["fast"] = new() { BackgroundRedisWrite = true } };
        var off = new EntryOptionsResolver(new CacheEntryOptions(), profiles, static tag => "!tag:" + tag, CacheTestSupport.BuiltInCodecs());
        var on = new EntryOptionsResolver(new CacheEntryOptions { BackgroundRedisWrite = true }, profiles, static tag => "!tag:" + tag, CacheTestSupport.BuiltInCodecs());
        using (Assert.EnterMultipleScope())
        {
            Assert.That(off.Resolve(null).BackgroundRedisWrite, Is.False, "off unless asked for");
            Assert.That(off.Resolve(new CacheEntryOptions { Profile = "fast" }).BackgroundRedisWrite, Is.True);
            Assert.That(off.Resolve(new CacheEntryOptions { Profile = "fast", BackgroundRedisWrite = false }).BackgroundRedisWrite, Is.False);
            Assert.That(on.Resolve(null).BackgroundRedisWrite, Is.True);
            Assert.That(on.Resolve(new CacheEntryOptions { BackgroundRedisWrite = false }).BackgroundRedisWrite, Is.False);
        }
    }

    [Test]
    public void Binds_from_the_defaults_and_profile_sections()
    {
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["RedisCaching:Redis:ConnectionString"] = "localhost:6379",
            ["RedisCaching:Defaults:BackgroundRedisWrite"] = "true",
            ["RedisCaching:Profiles:reports:BackgroundRedisWrite"] = "false",
        }).Build());
        services.AddRedisCaching().WithoutEnvironmentVariables();
        using var provider = services.BuildServiceProvider();
        var options = provider.GetRequiredService<IOptions<RedisCachingOptions>>().Value;
        using (Assert.EnterMultipleScope())
        {
            Assert.That(options.DefaultEntryOptions.BackgroundRedisWrite, Is.True);
            Assert.That(options.Profiles["reports"].BackgroundRedisWrite, Is.False);
        }
    }
}
