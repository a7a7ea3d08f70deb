using System.Collections.Generic;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using RedisCaching.Internal;

namespace RedisCaching.Core.Tests.Configuration;

/// <summary>A service provider built from in-memory configuration, with a main cache and a named cache "reports".</summary>
internal static class ConfiguredServices
{
    /// <summary>Binds <c>RedisCaching:{key}</c> = <paramref name="value"/> (nothing when null) beside an unreachable host.</summary>
    public static ServiceProvider With(string key, string? value)
    {
        var values = new Dictionary<string, string?> { ["RedisCaching:Redis:Host"] = "cache.invalid" };
        if (value is not null)
        {
            values["RedisCaching:" + key] = value;
        }

        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().AddInMemoryCollection(values).Build());
        services.AddSingleton(EnvironmentVariables.None);
        services.AddRedisCaching().AddNamedCache("reports");
        return services.BuildServiceProvider();
    }
}
