// QuickStart: connects through RedisCaching's connection layer, shows what it negotiated, sets and gets,
// reads many keys in one pipelined round, uses the cache (a memory hit, and a delete by another client reaching
// it), caches a service's methods with [Cached], rides out a server restart, and serves the cache's metrics to
// Prometheus (scraping itself once to show them).
// Run it with build/demo.sh (which starts and restarts a throwaway redis-server), or against your own
// server: REDIS_URL=redis://127.0.0.1:6379 dotnet run --project samples/QuickStart
using System;
using System.Text.Json;
using System.Threading.Tasks;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using QuickStart;
using RedisCaching;

var configuration = new ConfigurationBuilder().AddEnvironmentVariables().Build();
var services = new ServiceCollection()
    .AddSingleton<IConfiguration>(configuration)
    .AddLogging(logging => logging
        .AddSimpleConsole(console => { console.SingleLine = true; console.TimestampFormat = "HH:mm:ss.fff "; })
        .SetMinimumLevel(LogLevel.Information));
services.AddSingleton<ICatalog, Catalog>();
services.AddRedisCaching(o => o.JsonSerializerOptions = new JsonSerializerOptions(QuickStartJsonContext.Default.Options)) // no reflection: AOT-ready
    .AddCachedServices(); // generated from the [Cached] attributes on ICatalog

var (meters, metricsEndpoint) = MetricsSteps.Serve();
using var meterProvider = meters;
await using var provider = services.BuildServiceProvider();
var connection = provider.GetRequiredService<IRedisConnection>();
connection.HealthChanged += (_, health) => Console.WriteLine($"  [health] {health.Status}");

var steps = new DemoSteps(connection);
try
{
    await steps.ShowServerAsync();
    await steps.SetAndGetAsync();
    await steps.PipelinedManyKeyReadAsync();
    await new CacheSteps(provider.GetRequiredService<ICache>(), connection).ShowCacheAsync("rc:");
    await new MethodCachingSteps(provider.GetRequiredService<ICatalog>()).ShowAsync();
    await steps.SurviveRestartAsync(Environment.GetEnvironmentVariable("QUICKSTART_RESTART_SIGNAL"));
    await MetricsSteps.ShowScrapeAsync(metricsEndpoint);
    Console.WriteLine("QuickStart finished.");
    return 0;
}
catch (RedisCachingException ex)
{
    Console.Error.WriteLine($"QuickStart failed: {ex.Message}");
    return 1;
}
